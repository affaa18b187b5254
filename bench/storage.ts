// Storage benchmark: bytes on disk per row of each table, the input of the capacity model (npm run capacity).
// {views} views over a catalogue of {videos} (Zipf s = 1, 11-character ids), event times over the last {span} hours,
// go through views_parsed as the Kafka engine writes them, so every materialized view of the service runs. Each
// table is then merged (OPTIMIZE FINAL) and its active parts read from system.parts. Writes
// bench/results/storage-<date>.json. Usage: npm run bench:storage -- [--views=10000000] [--videos=50000000] [--span-hours=2]
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClickHouseService } from '../src/clickhouse/clickhouse.service';
import { runMigrations } from '../src/clickhouse/migrations';
import { loadConfig } from '../src/config/app-config';
import { onDatabase } from '../test/support/clickhouse';
import { benchStatement } from './lib/sql';
import { machine, run, writeResult } from './report';

const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const views = arg('views', 10_000_000);
const videos = arg('videos', 50_000_000);
const spanHours = arg('span-hours', 2);

export interface StorageRow {
  table: string;
  rows: number;
  bytesOnDisk: number;
  bytesPerRow: number;
  uncompressedBytesPerRow: number;
}

async function main(): Promise<void> {
  const dataDir = join(tmpdir(), `viewrank-bench-storage-${process.pid}`);
  const database = 'bench_storage';
  const config = loadConfig({
    CHDB_PATH: dataDir,
    CLICKHOUSE_DATABASE: database,
    KAFKA_TOPIC: `bench-unused-${process.pid}`,
    KAFKA_GROUP: `bench-${process.pid}`,
  });
  const base = new ClickHouseService(config);
  try {
    const clickhouse = onDatabase(base, database);
    await runMigrations(clickhouse, config);
    const started = Date.now();
    await clickhouse.command(benchStatement('storage_views'), { views, n: videos, now_ms: Date.now(), span_ms: spanHours * 3_600_000 });
    const loadSeconds = (Date.now() - started) / 1000;
    const tables = await clickhouse.select<{ name: string }>(
      "SELECT name FROM system.tables WHERE database = {db:String} AND engine LIKE '%MergeTree' ORDER BY name",
      { db: database },
    );
    for (const { name } of tables) await clickhouse.command('OPTIMIZE TABLE {db:Identifier}.{table:Identifier} FINAL', { table: name });
    const parts = await clickhouse.select<{ table: string; rows: string; bytes_on_disk: string; uncompressed_bytes: string }>(
      benchStatement('storage_parts'),
      { db: database },
    );
    const rows: StorageRow[] = parts
      .filter((p) => Number(p.rows) > 0)
      .map((p) => ({
        table: p.table,
        rows: Number(p.rows),
        bytesOnDisk: Number(p.bytes_on_disk),
        bytesPerRow: Math.round((Number(p.bytes_on_disk) / Number(p.rows)) * 10) / 10,
        uncompressedBytesPerRow: Math.round((Number(p.uncompressed_bytes) / Number(p.rows)) * 10) / 10,
      }));
    const result = {
      benchmark: `npm run bench:storage -- --views=${views} --videos=${videos} --span-hours=${spanHours} (bench/storage.ts)`,
      date: new Date().toISOString(),
      machine: machine(),
      clickhouse: 'embedded chDB (ClickHouse 26.7)',
      views,
      videos,
      spanHours,
      loadSeconds,
      note: 'bytes on disk of the active parts after OPTIMIZE FINAL, per row; ids of 11 characters, Zipf s = 1 over the catalogue',
      tables: rows,
    };
    writeResult('storage', result, rows);
  } finally {
    await base.onApplicationShutdown();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

run(main);
