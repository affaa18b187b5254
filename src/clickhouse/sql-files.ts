// Locates and reads the SQL that lives under clickhouse/ (migrations, the ingest queue and named queries).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository's clickhouse/ folder, found from wherever this file runs (src/ under ts-jest, dist/ when built). */
export function clickhouseDir(): string {
  let dir = resolve(__dirname);
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'clickhouse');
    if (existsSync(join(candidate, 'migrations'))) return candidate;
    dir = resolve(dir, '..');
  }
  throw new Error(`clickhouse/ folder with migrations not found above ${__dirname}`);
}

const cache = new Map<string, string>();

/** Text of clickhouse/queries/<name>.sql, read once. */
export function namedQuery(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    text = readFileSync(join(clickhouseDir(), 'queries', `${name}.sql`), 'utf8');
    cache.set(name, text);
  }
  return text;
}

/** Text of clickhouse/queue/<name>.sql: the Kafka engine table, its view and the targets' deduplication window. */
export function queueFile(name: string): string {
  return readFileSync(join(clickhouseDir(), 'queue', `${name}.sql`), 'utf8');
}

export interface MigrationFile {
  version: number;
  name: string;
  text: string;
}

/** clickhouse/cluster/: the schema on a ClickHouse cluster (CLICKHOUSE_CLUSTER), its migrations and its queue. */
export function clusterDir(): string {
  return join(clickhouseDir(), 'cluster');
}

/** Text of clickhouse/cluster/queue.sql: the Kafka engine table and its view on every node of a cluster. */
export function clusterQueueFile(): string {
  return readFileSync(join(clusterDir(), 'queue.sql'), 'utf8');
}

/** Migration files named NNNN_description.sql, in version order; duplicate versions are an error. */
export function migrationFiles(dir = join(clickhouseDir(), 'migrations')): MigrationFile[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  const seen = new Set<number>();
  return files.map((file) => {
    const match = /^([0-9]{4})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!match) throw new Error(`migration file name must look like 0001_name.sql: ${file}`);
    const version = Number(match[1]);
    if (seen.has(version)) throw new Error(`two migrations share version ${match[1]}`);
    seen.add(version);
    return { version, name: match[2], text: readFileSync(join(dir, file), 'utf8') };
  });
}
