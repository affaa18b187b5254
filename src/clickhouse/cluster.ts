// Server mode on a ClickHouse cluster (CLICKHOUSE_CLUSTER): what the service checks of the cluster, and the settings
// its queries run with there. The schema is clickhouse/cluster/; docs/cluster.md explains the layout.
import { ClickHouseSettings } from '@clickhouse/client';
import { SqlRunner } from './sql-runner';
import { namedQuery } from './sql-files';
import { sql } from './sql-query';

/**
 * Every query of the service on a cluster. The queries are those of one node (clickhouse/queries/): the Distributed
 * tables carry the single-node names.
 * - optimize_distributed_group_by_sharding_key: a GROUP BY video_id (every ranking) is complete on each shard, as the
 *   tables are sharded by the video, so each shard ranks its own videos, sends its top k, and the initiator merges
 *   those lists (exact: test/models/shard-merge.ts). Without it the answer is the same, with every group sent instead.
 * - distributed_foreground_insert: the service's inserts (the sliding hour's steps, with their deduplication tokens)
 *   are on the shards when they return, so the next step reads them.
 * - parallel_distributed_insert_select = 2: INSERT … SELECT between two tables sharded alike (frozen minutes from
 *   arrivals, the last hour from frozen minutes) runs on each shard over its own rows.
 */
export const CLUSTER_QUERY_SETTINGS: ClickHouseSettings = {
  optimize_distributed_group_by_sharding_key: 1,
  distributed_foreground_insert: 1,
  parallel_distributed_insert_select: '2',
};

export interface ClusterState {
  macro: string;
  shards: number | string;
  hosts: number | string;
}

const CHECK = sql('cluster_check', { cluster: 'String' }).rows<ClusterState>();
/** The migration log of a cluster (migrations.ts). */
export const CLUSTER_SCHEMA_MIGRATIONS = sql('schema_migrations_cluster', {});

/** What is wrong with the cluster as the server describes it, or undefined when it is the one configured. Pure. */
export function clusterProblem(name: string, state: ClusterState): string | undefined {
  if (Number(state.hosts) === 0) return `CLICKHOUSE_CLUSTER=${name}: the server has no such cluster in remote_servers`;
  if (state.macro !== name) return `CLICKHOUSE_CLUSTER=${name}: the server's macro cluster is ${JSON.stringify(state.macro)}, not ${name}`;
  return undefined;
}

/** Throws unless the server belongs to the configured cluster (its macro and remote_servers). */
export async function checkCluster(db: SqlRunner, name: string): Promise<{ shards: number; hosts: number }> {
  const [state] = await db.select<NonNullable<typeof CHECK.rowType>>(namedQuery(CHECK.name), { cluster: name });
  const problem = clusterProblem(name, state);
  if (problem) throw new Error(problem);
  return { shards: Number(state.shards), hosts: Number(state.hosts) };
}
