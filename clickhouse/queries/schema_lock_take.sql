-- Takes the schema lock (src/clickhouse/schema-lock.ts): without IF NOT EXISTS, so that of instances creating it at
-- once exactly one succeeds and every other gets TABLE_ALREADY_EXISTS. Each row is a heartbeat of its holder.
CREATE TABLE {db:Identifier}.schema_lock
(
    holder String,
    beat   DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = MergeTree
ORDER BY tuple()
