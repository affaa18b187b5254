-- The views topic read by ClickHouse's Kafka engine with its offsets kept in Keeper/ZooKeeper
-- (INGEST_GUARANTEE=exactly-once). Per partition, the engine records in Keeper how many messages the next block
-- takes before writing it, and the offset after it once written. After a crash it reads exactly those messages
-- again, so the replayed block is the same block (the same partition and offsets), which every target table then
-- drops by its deduplication window (clickhouse/queue/deduplication_window.sql). The consumer group still gets the
-- offsets committed, after Keeper, for lag monitoring. Experimental in ClickHouse: hence the query setting
-- allow_experimental_kafka_offsets_storage_in_keeper, given by the service with this statement.
-- kafka_keeper_path is per database and per switch to this mode (src/clickhouse/ingest-queue.ts says why). Several
-- consumers need a thread each in this engine (kafka_thread_per_consumer = 1); each writes its own partitions' blocks.
--
-- One poll per block. The engine replays an intent by polling for that many messages, but ends a block by time or by
-- rows, not by that count: a block cut by the flush interval after several polls was replayed as those messages and
-- the ones behind them (found by test/replay.int-spec.ts; the faults test had counted such blocks twice). So the flush
-- interval is 1 ms, always over by the end of the first poll, and KAFKA_FLUSH_INTERVAL_MS is the poll's own wait
-- (kafka_poll_timeout_ms): a block is what one poll returned, and the replay's one poll of the intent's size returns
-- the same messages. Blocks still hold at most kafka_poll_max_batch_size messages (the engine's default).
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
    kafka_keeper_path = {kafka_keeper_path:String},
    kafka_replica_name = {kafka_replica_name:String},
    kafka_format = {kafka_format:String},
    kafka_num_consumers = {kafka_consumers:UInt32},
    kafka_thread_per_consumer = 1,
    kafka_max_block_size = {kafka_max_block_size:UInt32},
    kafka_flush_interval_ms = 1,
    kafka_poll_timeout_ms = {kafka_flush_interval_ms:UInt32},
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
