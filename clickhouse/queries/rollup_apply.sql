-- Rolls the blocks (done, upto] of views_recent up into views_by_hour; its views carry them on into views_by_day,
-- views_by_month and views_total (run with insert_deduplication_token 'rollup:<done>:<upto>', one insert thread and
-- deduplicate_blocks_in_dependent_materialized_views, so a repeat after a crash is dropped by each of the four
-- tables, also those the first run never reached). The part filter skips, from the part's name
-- (<partition>_<min block>_<max block>_<level>), the parts rolled up whole, without reading them.
INSERT INTO {db:Identifier}.views_by_hour (hour, video_id, views)
SELECT hour, video_id, sum(views) AS views
FROM {db:Identifier}.views_recent
WHERE toUInt64(splitByChar('_', _part)[3]) > {done:UInt64}
  AND _block_number > {done:UInt64} AND _block_number <= {upto:UInt64}
GROUP BY hour, video_id
ORDER BY hour, video_id
