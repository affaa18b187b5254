-- The Kafka engine table reads the views topic in the background; its materialized view parses each row
-- into views_parsed. Created last: consumption starts as soon as a view depends on the queue.
-- `ts` is read as text so that both RFC 3339 strings and epoch milliseconds are accepted and told apart here.
-- Broken messages do not stop the consumer: kafka_handle_error_mode = 'stream' hands them over with _error set.
CREATE TABLE IF NOT EXISTS {db:Identifier}.views_queue
(
    video_id String,
    ts       String
)
ENGINE = Kafka
SETTINGS
    kafka_broker_list = {kafka_brokers:String},
    kafka_topic_list = {kafka_topic:String},
    kafka_group_name = {kafka_group:String},
    kafka_format = 'JSONEachRow',
    kafka_num_consumers = {kafka_consumers:UInt32},
    kafka_max_block_size = {kafka_max_block_size:UInt32},
    kafka_flush_interval_ms = {kafka_flush_interval_ms:UInt32},
    kafka_handle_error_mode = 'stream',
    input_format_json_read_numbers_as_strings = 1,
    input_format_skip_unknown_fields = 1;

-- Event time: digits are epoch milliseconds, anything else is parsed as an RFC 3339 / ISO 8601 time.
-- Validation bounds use ClickHouse's own clock: more than a day ahead is not a plausible view, and one older than
-- max_event_age_days is a backfill, kept in the dead letters for replay (see 0001 on why the bound exists).
CREATE MATERIALIZED VIEW IF NOT EXISTS {db:Identifier}.views_queue_mv TO {db:Identifier}.views_parsed AS
WITH if(match(ts, '^-?[0-9]{1,16}$'),
        fromUnixTimestamp64Milli(toInt64(ts), 'UTC'),
        parseDateTime64BestEffortOrNull(ts, 3, 'UTC')) AS parsed_time
SELECT
    video_id,
    parsed_time AS event_time,
    multiIf(
        _error != '', concat('unparseable message: ', _error),
        video_id = '', 'video_id is missing or empty',
        length(video_id) > 256, 'video_id is longer than 256 bytes',
        ts = '', 'ts is missing or empty',
        parsed_time IS NULL, 'ts is neither an RFC 3339 time nor epoch milliseconds',
        parsed_time > now64(3, 'UTC') + INTERVAL 1 DAY, 'ts is more than a day in the future',
        parsed_time < now64(3, 'UTC') - toIntervalDay({max_event_age_days:UInt32}), concat('ts is more than ', toString({max_event_age_days:UInt32}), ' days old'),
        '') AS error,
    if(error = '', '', if(_error != '', _raw_message, toJSONString(map('video_id', video_id, 'ts', ts)))) AS raw_message,
    _topic AS topic,
    _partition AS partition,
    _offset AS offset
FROM {db:Identifier}.views_queue;
