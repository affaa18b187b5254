-- Parses each message of the queue (JSON lines or TSV lines, KAFKA_FORMAT: the same two fields) into views_parsed, where every counting table's view reads it. Created after the
-- queue table, and last: consumption starts here. The same view as in migration 0013.
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
