-- Bad input is dead-lettered with its reason, never counted at a guessed value (issue #21). The contract:
-- video_id is a JSON string (or number, taken as its decimal text) of 1 to 256 bytes of valid UTF-8; ts is epoch
-- milliseconds (digits) or an RFC 3339 date-time. src/ingest/view-events.ts holds the same rules for POST /views,
-- and a unit test keeps its patterns equal to the ones below.
-- Ingestion pauses while this runs: the queue's view is dropped first, so the Kafka engine reads nothing until the
-- new one exists; the consumer group's committed offsets carry over to the new queue table.
DROP VIEW IF EXISTS {db:Identifier}.views_queue_mv;

-- The queue table is created anew for its format settings: an object, array or boolean given as video_id or ts is
-- no longer read as its JSON text (a string that looks like JSON is then just a string, and is counted), but makes
-- the message unparseable, so it is dead-lettered whole with ClickHouse's reason.
DROP TABLE IF EXISTS {db:Identifier}.views_queue;

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
    kafka_format = 'JSONEachRow',
    kafka_num_consumers = {kafka_consumers:UInt32},
    kafka_max_block_size = {kafka_max_block_size:UInt32},
    kafka_flush_interval_ms = {kafka_flush_interval_ms:UInt32},
    kafka_handle_error_mode = 'stream',
    input_format_json_read_numbers_as_strings = 1,
    input_format_json_read_objects_as_strings = 0,
    input_format_json_read_arrays_as_strings = 0,
    input_format_json_read_bools_as_strings = 0,
    input_format_skip_unknown_fields = 1;

-- Event time, strictly: digits are epoch milliseconds; otherwise the whole text must be an RFC 3339 date-time with
-- every field in range (T and Z in either case, a space allowed for T, at most 9 fraction digits, Z or ±hh:mm).
-- A calendar date that does not exist (02-30) parses to NULL. Anything else (12/11/2026, 25:00, a bare date, "Nov 28")
-- is dead-lettered rather than guessed. Bounds as in 0004.
CREATE MATERIALIZED VIEW {db:Identifier}.views_queue_mv TO {db:Identifier}.views_parsed AS
WITH multiIf(
        match(ts, '^[0-9]{1,16}$'), fromUnixTimestamp64Milli(toInt64(ts), 'UTC'),
        match(ts, '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$'),
            parseDateTime64BestEffortOrNull(upper(ts), 3, 'UTC'),
        NULL) AS parsed_time
SELECT
    video_id,
    parsed_time AS event_time,
    multiIf(
        _error != '', concat('unparseable message: ', _error),
        video_id = '', 'video_id is missing or empty',
        NOT isValidUTF8(video_id), 'video_id is not valid UTF-8',
        length(video_id) > 256, 'video_id is longer than 256 bytes',
        ts = '', 'ts is missing or empty',
        parsed_time IS NULL, 'ts is neither an RFC 3339 date-time nor epoch milliseconds',
        parsed_time > now64(3, 'UTC') + INTERVAL 1 DAY, 'ts is more than a day in the future',
        parsed_time < now64(3, 'UTC') - toIntervalDay({max_event_age_days:UInt32}), concat('ts is more than ', toString({max_event_age_days:UInt32}), ' days old'),
        '') AS error,
    if(error = '', '', if(_error != '', _raw_message, toJSONString(map('video_id', video_id, 'ts', ts)))) AS raw_message,
    _topic AS topic,
    _partition AS partition,
    _offset AS offset,
    ifNull(_timestamp_ms, now64(3, 'UTC')) AS appended_at
FROM {db:Identifier}.views_queue;
