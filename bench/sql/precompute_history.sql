-- Precompute benchmark (bench/precompute.ts): a synthetic history of {n} videos up to the instant {now}, written
-- straight into the counting tables. Video v<i> has popularity rank i: its counts follow Zipf (s = 1) with noise,
-- at about the reference load's magnitude (700k views/s: the 1,000th video gets ~70k views in half an hour).
-- - Month so far: two hour rows per video, in random hours before today.
-- - Today's earlier hours: 1/20 of the catalogue each, plus the 10,000 most popular videos every hour.
-- - The current hour (half of it so far): every video. At the reference load half an hour is ~1.3B views, and
--   under Zipf s = 1 over 50M videos even the last one expects more than one of them.
-- - Day, month and all-time tables hold what the hour rows add up to (as their materialized views would), and
--   all-time adds one older total per video. They are merged, as they are in a steady state.
INSERT INTO {db:Identifier}.views_by_hour
SELECT toStartOfMonth({now:DateTime('UTC')}) + toIntervalHour(cityHash64(number, salt) % {month_hours:UInt32}),
       concat('v', toString(number)),
       1 + intDiv(1000000000, number + 1) + cityHash64(number, salt, 7) % 3
FROM numbers({n:UInt64})
ARRAY JOIN [1, 2] AS salt;

INSERT INTO {db:Identifier}.views_by_hour
SELECT toStartOfDay({now:DateTime('UTC')}) + toIntervalHour(h), concat('v', toString(v)), 1 + intDiv(200000000, v + 1) + cityHash64(v, h) % 3
FROM
(
    SELECT h, (number * 7 + h * 1000003) % {n:UInt64} AS v
    FROM numbers(intDiv({n:UInt64}, 20)) ARRAY JOIN range({today_hours:UInt32}) AS h
    UNION ALL
    SELECT h, number AS v FROM numbers(least(10000, {n:UInt64})) ARRAY JOIN range({today_hours:UInt32}) AS h
);

INSERT INTO {db:Identifier}.views_by_hour
SELECT toStartOfHour({now:DateTime('UTC')}), concat('v', toString(number)), 1 + intDiv(100000000, number + 1) + cityHash64(number, 99) % 3
FROM numbers({n:UInt64});

INSERT INTO {db:Identifier}.views_by_day
SELECT toStartOfDay(hour), video_id, views FROM {db:Identifier}.views_by_hour WHERE hour >= toStartOfDay({now:DateTime('UTC')});

INSERT INTO {db:Identifier}.views_by_month
SELECT toStartOfMonth(hour), video_id, views FROM {db:Identifier}.views_by_hour;

INSERT INTO {db:Identifier}.views_total
SELECT video_id, views FROM {db:Identifier}.views_by_hour;

INSERT INTO {db:Identifier}.views_total
SELECT concat('v', toString(number)), 1 + intDiv(10000000000, number + 1) + cityHash64(number, 9) % 100 FROM numbers({n:UInt64});

OPTIMIZE TABLE {db:Identifier}.views_by_day FINAL;
OPTIMIZE TABLE {db:Identifier}.views_by_month FINAL;
OPTIMIZE TABLE {db:Identifier}.views_total FINAL;
