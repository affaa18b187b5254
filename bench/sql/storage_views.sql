-- Storage benchmark: {views} views through views_parsed, as the Kafka engine writes them (every materialized view
-- of the service runs), over a catalogue of {n} videos drawn Zipf s = 1 (log-uniform ranks, as precompute_updates),
-- with event times spread uniformly over the {span_ms} milliseconds before {now_ms}. Ids are 11 characters, as
-- YouTube's: 11 hex digits of the rank's hash, so they compress as real ids do (barely), not as 'v123'.
INSERT INTO {db:Identifier}.views_parsed (video_id, event_time, error, raw_message, topic, partition, offset, appended_at)
SELECT
    substring(hex(cityHash64(v)), 1, 11),
    fromUnixTimestamp64Milli(toInt64({now_ms:Int64} - (cityHash64(number, 7) % {span_ms:UInt64}))),
    '',
    '',
    'bench',
    number % 4,
    intDiv(number, 4),
    fromUnixTimestamp64Milli({now_ms:Int64})
FROM
(
    SELECT number, least({n:UInt64} - 1, toUInt64(exp(log({n:UInt64}) * (cityHash64(number, 3) / pow(2, 64))))) AS v
    FROM numbers({views:UInt64})
)
