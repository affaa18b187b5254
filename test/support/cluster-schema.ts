// The cluster schema (clickhouse/cluster/) made creatable in one chDB process, for test/cluster-schema.int-spec.ts.
import { withoutComments } from '../../src/clickhouse/cluster-ddl';

/** The tables the cluster shards by video: a Distributed table over <name>_local, by cityHash64(video_id). */
export const SHARDED_BY_VIDEO = [
  'views_by_minute',
  'views_by_hour',
  'views_by_day',
  'views_by_month',
  'views_total',
  'views_recent',
  'last_hour_minutes',
  'views_last_hour',
] as const;

/**
 * Whether a cluster statement is a migration's backfill into a per-video table: it goes through the Distributed
 * table, whose shards one process cannot reach, so the spec parses it rather than runs it. A seed of a table every
 * node holds (last_hour_settings) is not one: it runs.
 */
export function isPerVideoBackfill(statement: string): boolean {
  const into = /^INSERT INTO \{db:Identifier\}\.(\w+)/.exec(withoutComments(statement))?.[1];
  return into !== undefined && (SHARDED_BY_VIDEO as readonly string[]).includes(into);
}

/**
 * A cluster statement as one node can run it: without ON CLUSTER (chDB has no distributed DDL queue of its hosts) and
 * with each Replicated engine's Keeper path and replica name taken out, leaving the engine it replicates with its
 * other arguments (chDB's Replicated tables stay read-only). Everything else is kept: columns, keys, TTLs, settings
 * but the replicated-only one, views, Distributed engines.
 */
export function declustered(statement: string): string {
  return statement
    .replace(/ ON CLUSTER '\{cluster\}'/g, '')
    .replace(/Replicated(\w*MergeTree)\('[^']*', '[^']*'(?:, )?/g, '$1(')
    .replace(/replicated_deduplication_window = (\d+)/g, 'non_replicated_deduplication_window = $1');
}
