-- View-chain benchmark (bench/view-chain.ts): {rows} parsed views, as the queue's view writes them into views_parsed,
-- kept in a table so that every timed insert feeds the same rows. Ids log-uniform over {videos:UInt64} videos (about
-- Zipf s = 1, as the load generator draws them), four partitions, every view on time.
CREATE TABLE {db:Identifier}.chain_source ENGINE = MergeTree ORDER BY offset AS
SELECT
    concat('v', toString(toUInt64(floor(exp((cityHash64(number) % 1000000) / 1000000 * log({videos:UInt64})))))) AS video_id,
    toNullable(now64(3, 'UTC')) AS event_time,
    '' AS error,
    '' AS raw_message,
    toLowCardinality('chain') AS topic,
    number % 4 AS partition,
    number AS offset,
    now64(3, 'UTC') AS appended_at
FROM numbers({rows:UInt64})
