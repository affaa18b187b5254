-- The schema lock on a cluster (CLICKHOUSE_CLUSTER): the same table as schema_lock_take.sql, on every node, one copy
-- (Replicated without {shard}). ON CLUSTER puts the CREATE in the distributed DDL queue in Keeper, which runs entries
-- one after another on each node: of instances creating it at once, one succeeds and every other gets
-- TABLE_ALREADY_EXISTS from the nodes.
CREATE TABLE {db:Identifier}.schema_lock ON CLUSTER '{cluster}'
(
    holder String,
    beat   DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplicatedMergeTree('/clickhouse/tables/all/{database}/{table}', '{replica}')
ORDER BY tuple()
