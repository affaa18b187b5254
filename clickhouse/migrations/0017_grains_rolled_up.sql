-- The hour, day, month and all-time tables rolled up from what arrived, rather than written by every Kafka block
-- (issue #36). Each block wrote nine tables through nine views; each table costs a block about 3 ms of pipeline and a
-- part, whatever the block holds. Now a block writes views_by_minute, views_recent, the ingestion counts and the
-- offsets; the service moves what arrived in views_recent into views_by_hour, once a refresh (src/rollup/), and the
-- day, month and all-time tables follow views_by_hour through their views.
-- - What arrived is told apart by views_recent's block numbers: a MergeTree numbers a part in the same step that makes
--   it visible, so once block N is seen every block before it is too, and enable_block_number_column keeps each row's
--   number through merges (rows already here keep their part's).
-- - views_rollup records each rollup: its intent (the blocks up to `upto`) before the insert, done after it. The
--   insert's deduplication token names the blocks it covers, so a rollup repeated after a crash, or by a second
--   instance, is dropped by views_by_hour and by each table its views feed; the intent's token names the rollup it
--   follows, so two instances agree on one intent.
-- - Everything in views_recent now is in the grains already (their views wrote it), so it counts as rolled up.
-- - views_recent is no longer emptied by a TTL, which could drop rows not yet rolled up after a long outage: the
--   service drops its hourly partitions once they are two hours old and rolled up.
-- A cluster keeps writing its grains per block (lines marked "single node only": a Replicated table numbers a block
-- before the part is visible, so a rollup by block number could miss one; docs/cluster.md).
-- Ingestion pauses while this runs (the queue's view is dropped first; the service creates it again after the
-- migrations), so nothing arrives between the views' change and the rollup's starting point. Re-running after a
-- failure is safe: every step is IF [NOT] EXISTS or idempotent, and the starting point is recorded once.
DROP VIEW IF EXISTS {db:Identifier}.views_queue_mv;

ALTER TABLE {db:Identifier}.views_recent MODIFY SETTING enable_block_number_column = 1;

CREATE TABLE IF NOT EXISTS {db:Identifier}.views_rollup
(
    step Enum8('intent' = 1, 'done' = 2),
    upto UInt64 COMMENT 'views_recent block number: every block up to it is to be (intent) or is (done) in views_by_hour',
    at   DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(upto)
ORDER BY step
SETTINGS non_replicated_deduplication_window = 1000;

-- single node only
INSERT INTO {db:Identifier}.views_rollup (step, upto)
SELECT 'done', max(_block_number) FROM {db:Identifier}.views_recent
HAVING (SELECT count() FROM {db:Identifier}.views_rollup) = 0;

-- single node only
DROP VIEW IF EXISTS {db:Identifier}.views_by_hour_mv;

DROP VIEW IF EXISTS {db:Identifier}.views_by_day_mv;

DROP VIEW IF EXISTS {db:Identifier}.views_by_month_mv;

DROP VIEW IF EXISTS {db:Identifier}.views_total_mv;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db:Identifier}.views_by_day_mv TO {db:Identifier}.views_by_day AS
SELECT toStartOfDay(hour) AS day, video_id, sum(views) AS views
FROM {db:Identifier}.views_by_hour
GROUP BY day, video_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db:Identifier}.views_by_month_mv TO {db:Identifier}.views_by_month AS
SELECT toStartOfMonth(hour) AS month, video_id, sum(views) AS views
FROM {db:Identifier}.views_by_hour
GROUP BY month, video_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db:Identifier}.views_total_mv TO {db:Identifier}.views_total AS
SELECT video_id, sum(views) AS views
FROM {db:Identifier}.views_by_hour
GROUP BY video_id;

-- The grains' deduplication window no longer follows INGEST_GUARANTEE (clickhouse/queue/deduplication_window.sql):
-- a rollup repeated after a crash must be dropped at either guarantee.
ALTER TABLE {db:Identifier}.views_by_hour MODIFY SETTING non_replicated_deduplication_window = 1000;

ALTER TABLE {db:Identifier}.views_by_day MODIFY SETTING non_replicated_deduplication_window = 1000;

ALTER TABLE {db:Identifier}.views_by_month MODIFY SETTING non_replicated_deduplication_window = 1000;

ALTER TABLE {db:Identifier}.views_total MODIFY SETTING non_replicated_deduplication_window = 1000;

-- single node only
ALTER TABLE {db:Identifier}.views_recent REMOVE TTL;
