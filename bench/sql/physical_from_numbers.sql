-- Physical-limit benchmark (bench/parts/physical.ts): {rows} views of {videos} videos straight into views_parsed,
-- skipping Kafka and JSON: the materialized views' own speed.
INSERT INTO {db:Identifier}.views_parsed (video_id, event_time, error, raw_message, topic, partition, offset)
SELECT concat('v', toString(1 + cityHash64(number) % {videos:UInt64})), now64(3), '', '', 'direct', 0, number FROM numbers({rows:UInt64})
