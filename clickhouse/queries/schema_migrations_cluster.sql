-- The migration log of a cluster (CLICKHOUSE_CLUSTER): on every node, one copy, so that whichever node an instance
-- talks to, a migration applied once for the cluster reads as applied.
CREATE TABLE IF NOT EXISTS {db:Identifier}.schema_migrations ON CLUSTER '{cluster}'
(version UInt32, name String, checksum String, applied_at DateTime64(3, 'UTC') DEFAULT now64(3))
ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/all/{database}/{table}', '{replica}')
ORDER BY version
