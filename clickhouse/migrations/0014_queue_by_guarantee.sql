-- From here on the Kafka engine table and its view are not a migration's: the service creates them at each start for
-- the configured INGEST_GUARANTEE (src/clickhouse/ingest-queue.ts, clickhouse/queue/), and recreates them when that
-- or a Kafka engine setting changed (issue #14). Dropping them here hands over cleanly: the view goes first, so the
-- engine finishes the block it is writing and commits its offset; the new queue table resumes from the consumer
-- group's committed offsets.
DROP VIEW IF EXISTS {db:Identifier}.views_queue_mv;
DROP TABLE IF EXISTS {db:Identifier}.views_queue SYNC;
