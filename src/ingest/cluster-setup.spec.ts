// A cluster's set-up as the service sends it: the migrations and the queue, recorded (no cluster runs here).
import { layoutMigrationFiles, runMigrations } from '../clickhouse/migrations';
import { SqlRunner } from '../clickhouse/sql-runner';
import { loadConfig } from '../config/app-config';
import { ensureClusterQueue } from '../clickhouse/ingest-queue';

/**
 * What the migration runner sends on a cluster, recorded by a SqlRunner that answers as a fresh cluster would (the
 * order and the ON CLUSTER of each statement; the statements themselves are ClickHouse's to judge, in
 * test/cluster-schema.int-spec.ts, as no cluster runs here).
 */
class RecordingRunner implements SqlRunner {
  readonly sent: string[] = [];
  constructor(private readonly macro = 'viewrank') {}
  async command(query: string): Promise<void> {
    this.sent.push(query.replace(/^(--[^\n]*\n|[ \t]*\n)+/, '').split('\n')[0]);
  }
  async select<T>(query: string): Promise<T[]> {
    const line = query.replace(/^(--[^\n]*\n|[ \t]*\n)+/, '').split('\n')[0];
    this.sent.push(line);
    if (query.includes('getMacro')) return [{ macro: this.macro, shards: '2', hosts: '4' } as T];
    return [];
  }
}

describe('runMigrations on a cluster', () => {
  const config = loadConfig({ CLICKHOUSE_URL: 'http://clickhouse-01:8123', CLICKHOUSE_CLUSTER: 'viewrank' });

  it('checks the cluster, then migrates it once under its lock, every statement ON CLUSTER', async () => {
    const db = new RecordingRunner();
    const result = await runMigrations(db, config, undefined, { heartbeatMs: 60_000 });
    const files = layoutMigrationFiles(config);
    expect(result).toEqual({ applied: files.map((f) => `${String(f.version).padStart(4, '0')}_${f.name}`), skipped: [] });
    expect(result.applied[0]).toBe('0001_cluster_schema');
    expect(db.sent[0]).toBe('SELECT');
    expect(db.sent[1]).toBe("CREATE DATABASE IF NOT EXISTS {db:Identifier} ON CLUSTER '{cluster}'");
    expect(db.sent[2]).toBe("CREATE TABLE {db:Identifier}.schema_lock ON CLUSTER '{cluster}'");
    expect(db.sent[db.sent.length - 1]).toBe("DROP TABLE IF EXISTS {db:Identifier}.schema_lock ON CLUSTER '{cluster}' SYNC");
    const ddl = db.sent.filter((line) => /^(CREATE|DROP|ALTER|RENAME)/.test(line));
    expect(ddl.filter((line) => !line.includes("ON CLUSTER '{cluster}'"))).toEqual([]);
    expect(ddl.length).toBeGreaterThan(40);
  });

  it('refuses a server whose macro names another cluster, before any statement', async () => {
    const db = new RecordingRunner('other');
    await expect(runMigrations(db, config)).rejects.toThrow(`the server's macro cluster is "other", not viewrank`);
    expect(db.sent).toEqual(['SELECT']);
  });
});

describe('ensureClusterQueue', () => {
  const config = loadConfig({ CLICKHOUSE_URL: 'http://clickhouse-01:8123', CLICKHOUSE_CLUSTER: 'viewrank' });

  it('creates the Kafka engine table and its view on every node under the lock, offsets at one Keeper path', async () => {
    const db = new RecordingRunner();
    const plan = await ensureClusterQueue(db, config, { heartbeatMs: 60_000 });
    expect(plan).toMatchObject({ action: 'create', guarantee: 'exactly-once', keeperPath: '/viewrank/viewrank/views_queue/cluster' });
    expect(db.sent.filter((line) => line.startsWith('CREATE'))).toEqual([
      "CREATE TABLE {db:Identifier}.schema_lock ON CLUSTER '{cluster}'",
      "CREATE TABLE IF NOT EXISTS {db:Identifier}.views_queue ON CLUSTER '{cluster}'",
      "CREATE MATERIALIZED VIEW IF NOT EXISTS {db:Identifier}.views_queue_mv ON CLUSTER '{cluster}' TO {db:Identifier}.views_parsed AS",
    ]);
  });

  it('keeps the queue when the node has both', async () => {
    const db = new RecordingRunner();
    db.select = async <T>(query: string) =>
      query.includes('system.tables') ? ([{ name: 'views_queue' }, { name: 'views_queue_mv' }] as T[]) : [];
    await expect(ensureClusterQueue(db, config, { heartbeatMs: 60_000 })).resolves.toMatchObject({ action: 'keep' });
    expect(db.sent.filter((line) => line.includes('views_queue'))).toEqual([]);
  });
});
