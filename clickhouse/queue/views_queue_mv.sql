-- Parses each message of the queue (JSON lines or TSV lines, KAFKA_FORMAT: the same two fields) into views_parsed, where every counting table's view reads it. Created after the
-- queue table, and last: consumption starts here. Its reasons and rules are POST /views's, word for word
-- (src/ingest/view-events.ts; the table in docs/ingest-and-security.md).
-- Event time, strictly: digits are epoch milliseconds; otherwise the whole text must be an RFC 3339 date-time with
-- every field in range (T and Z in either case, a space allowed for T, at most 9 fraction digits, Z or ±hh:mm).
-- A calendar date that does not exist (02-30) parses to NULL. Anything else (12/11/2026, 25:00, a bare date, "Nov 28")
-- is dead-lettered rather than guessed. Bounds as in 0004.
CREATE MATERIALIZED VIEW {db:Identifier}.views_queue_mv TO {db:Identifier}.views_parsed AS
WITH
    dynamicType(q.video_id::Dynamic) AS id_type,
    ifNull(dynamicElement(q.video_id::Dynamic, 'String'), '') AS id,
    dynamicType(q.ts::Dynamic) AS ts_type,
    -- A JSON integer is epoch milliseconds by its digits (-5 and 17 digits fail the pattern below, as their text would).
    multiIf(ts_type = 'String', ifNull(dynamicElement(q.ts::Dynamic, 'String'), ''), ts_type IN ('Int64', 'UInt64'), toString(q.ts), '') AS ts_text,
    -- The key a parse error names, if any: a duplicate or unknown key, or a string with a lone surrogate escape.
    extract(_error, 'JSONEachRow format: (.*): \\(at row') AS error_key,
    extract(_error, 'while reading the value of key ([^)]*)\\)') AS error_value_key,
    multiIf(
        match(ts_text, '^[0-9]{1,16}$'), fromUnixTimestamp64Milli(toInt64(ts_text), 'UTC'),
        match(ts_text, '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$'),
            parseDateTime64BestEffortOrNull(upper(ts_text), 3, 'UTC'),
        NULL) AS parsed_time
SELECT
    id AS video_id,
    parsed_time AS event_time,
    -- The reasons POST /views gives, word for word (src/ingest/view-events.ts VIEW_PROBLEMS).
    multiIf(
        -- A field again once both were read is "unknown" to the engine: it is the same fault, a key twice.
        _error LIKE 'Duplicate field found%' OR (_error LIKE 'Unknown field found%' AND error_key IN ('video_id', 'ts')),
            concat(error_key, ' appears twice'),
        _error LIKE 'Unknown field found%', concat(error_key, ' is not a field of a view (only video_id and ts)'),
        error_value_key = 'video_id' AND _error LIKE '%surrogate%', 'video_id is not valid UTF-8',
        error_value_key = 'ts' AND _error LIKE '%surrogate%', 'ts is neither an RFC 3339 date-time nor epoch milliseconds',
        _error != '', concat('unparseable message: ', _error),
        id_type = 'None' OR (id_type = 'String' AND id = ''), 'video_id is missing or empty',
        id_type != 'String', 'video_id must be a string',
        NOT isValidUTF8(id), 'video_id is not valid UTF-8',
        length(id) > 256, 'video_id is longer than 256 bytes',
        ts_type = 'None' OR (ts_type = 'String' AND ts_text = ''), 'ts is missing or empty',
        parsed_time IS NULL, 'ts is neither an RFC 3339 date-time nor epoch milliseconds',
        parsed_time > now64(3, 'UTC') + INTERVAL 1 DAY, 'ts is more than a day in the future',
        parsed_time < now64(3, 'UTC') - toIntervalDay({max_event_age_days:UInt32}), concat('ts is more than ', toString({max_event_age_days:UInt32}), ' days old'),
        '') AS error,
    if(error = '', '', if(_error != '', _raw_message, concat('{"video_id":', ifNull(toJSONString(q.video_id::Dynamic), 'null'), ',"ts":', ifNull(toJSONString(q.ts::Dynamic), 'null'), '}'))) AS raw_message,
    _topic AS topic,
    _partition AS partition,
    _offset AS offset,
    ifNull(_timestamp_ms, now64(3, 'UTC')) AS appended_at
FROM {db:Identifier}.views_queue AS q;
