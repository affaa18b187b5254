-- CLICKHOUSE_CLUSTER against the server: its macro cluster (what ON CLUSTER '{cluster}' and Distributed('{cluster}')
-- in clickhouse/cluster/ expand to), and the cluster's shards and hosts in remote_servers. (Keeper is checked by the
-- first ON CLUSTER statement, which fails without it.)
SELECT
    getMacro('cluster') AS macro,
    (SELECT uniqExact(shard_num) FROM system.clusters WHERE cluster = {cluster:String}) AS shards,
    (SELECT count() FROM system.clusters WHERE cluster = {cluster:String}) AS hosts
