-- The views topic read by ClickHouse's Kafka engine with its offsets committed to the consumer group after each
-- block is written (INGEST_GUARANTEE=at-least-once): a block written but not yet committed when the service dies or
-- the broker goes away is read and counted again. Format settings as in views_queue_exactly_once.sql.
--
-- VIEW_FIELD_TYPE is set by the service (src/clickhouse/ingest-queue.ts queueSql): Dynamic for JSONEachRow, so each
-- field is typed as the producer sent it (a JSON string is a String, a JSON integer an Int64 or UInt64, and so on)
-- and views_queue_mv refuses a number as video_id instead of counting its text ("9.09e2"), as POST /views does
-- (docs/ingest-and-security.md, "One definition of a valid view"); String for TSV, where every field is text.
-- Strings are never guessed into dates or numbers (the input_format_try_infer_* settings). A key other than video_id and ts, a key twice, or a lone surrogate escape make the whole message a dead
-- letter (a parse error), named by views_queue_mv. The COMMENT names this definition: a queue table with another one
-- is recreated at start (src/clickhouse/ingest-queue.ts QUEUE_DEFINITION).
CREATE TABLE {db:Identifier}.views_queue
(
    video_id VIEW_FIELD_TYPE,
    ts       VIEW_FIELD_TYPE
)
ENGINE = Kafka
SETTINGS
    kafka_broker_list = {kafka_brokers:String},
    kafka_topic_list = {kafka_topic:String},
    kafka_group_name = {kafka_group:String},
    kafka_format = {kafka_format:String},
    kafka_num_consumers = {kafka_consumers:UInt32},
    kafka_max_block_size = {kafka_max_block_size:UInt32},
    kafka_flush_interval_ms = {kafka_flush_interval_ms:UInt32},
    kafka_handle_error_mode = 'stream',
    input_format_json_read_numbers_as_strings = 0,
    input_format_json_read_objects_as_strings = 0,
    input_format_json_read_arrays_as_strings = 0,
    input_format_json_read_bools_as_strings = 0,
    input_format_json_throw_on_bad_escape_sequence = 1,
    input_format_skip_unknown_fields = 0,
    input_format_try_infer_dates = 0,
    input_format_try_infer_datetimes = 0
COMMENT 'viewrank views_queue 2: typed fields'
