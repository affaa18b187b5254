-- Precompute benchmark: the views of about 5 seconds at the reference load, between two refreshes, written into
-- views_by_minute (whose materialized views feed the hour, day, month, all-time and recent tables, as ingestion does).
-- The 1,000 most popular videos and {updates} - 1000 more, drawn log-uniformly from the catalogue (a Zipf s = 1
-- sample), each get 1 + 200000 / (rank + 1) views: the 1,000th about 200. Event time {now}: the current hour.
INSERT INTO {db:Identifier}.views_by_minute (minute, video_id, views)
SELECT toStartOfMinute({now:DateTime('UTC')}), concat('v', toString(v)), 1 + intDiv(200000, v + 1)
FROM
(
    SELECT if(number < 1000, number, least({n:UInt64} - 1, toUInt64(exp(log({n:UInt64}) * (cityHash64(number, {seed:UInt64}) / pow(2, 64)))))) AS v
    FROM numbers({updates:UInt64})
)
