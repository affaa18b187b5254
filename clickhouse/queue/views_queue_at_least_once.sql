-- The views topic read by ClickHouse's Kafka engine with its offsets committed to the consumer group after each
-- block is written (INGEST_GUARANTEE=at-least-once): a block written but not yet committed when the service dies or
-- the broker goes away is read and counted again. Format settings as in migration 0013.
CREATE TABLE {db:Identifier}.views_queue
(
    video_id String,
    ts       String
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
    input_format_json_read_numbers_as_strings = 1,
    input_format_json_read_objects_as_strings = 0,
    input_format_json_read_arrays_as_strings = 0,
    input_format_json_read_bools_as_strings = 0,
    input_format_skip_unknown_fields = 1
