-- A JSON object or array given as video_id was read as its JSON text (ClickHouse reads objects into String
-- columns as text) and counted as a video of that name. It is now dead-lettered like any mistyped field.
-- The view is replaced as a whole: DROP then CREATE. Between the two the Kafka engine has no view to feed and
-- pauses without reading, so no message is skipped. Otherwise identical to 0004.
DROP VIEW IF EXISTS {db:Identifier}.views_queue_mv;

-- Event time: digits are epoch milliseconds, anything else is parsed as an RFC 3339 / ISO 8601 time.
-- Validation bounds use ClickHouse's own clock: more than a day ahead is not a plausible view, and one older than
-- max_event_age_days is a backfill, kept in the dead letters for replay (see 0001 on why the bound exists).
CREATE MATERIALIZED VIEW {db:Identifier}.views_queue_mv TO {db:Identifier}.views_parsed AS
WITH if(match(ts, '^-?[0-9]{1,16}$'),
        fromUnixTimestamp64Milli(toInt64(ts), 'UTC'),
        parseDateTime64BestEffortOrNull(ts, 3, 'UTC')) AS parsed_time
SELECT
    video_id,
    parsed_time AS event_time,
    multiIf(
        _error != '', concat('unparseable message: ', _error),
        video_id = '', 'video_id is missing or empty',
        match(video_id, '^\\s*[\\[{]') AND isValidJSON(video_id), 'video_id is a JSON object or array, not a string',
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
