// The materialized-view chain on its own (issue #17: where a view's time goes after parsing): the parsed views of
// bench/sql/view_chain_source.sql inserted into views_parsed of a fresh embedded database (the migrations),
// in blocks of several sizes, then with the views attached one at a time in the order they feed each other, the
// median of three inserts after each. Ad hoc: written to bench/results/view-chain-<date>.json, not part of the suite.
// Usage: npm run bench:chain -- [--rows=1000000] [--videos=1000000] [--label=name: written to view-chain-<date>-<name>.json]
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClickHouseService } from '../src/clickhouse/clickhouse.service';
import { runMigrations } from '../src/clickhouse/migrations';
import { loadConfig } from '../src/config/app-config';
import { mergesSettled } from './lib/merges';
import { benchStatement } from './lib/sql';
import { run } from './report';

/**
 * The views of views_parsed and views_by_minute, each after what feeds it. Since migration 0017 the grains' views
 * hang off views_by_hour, which the rollup writes, not the chain: bench/lib/chain-cost.ts times the rollup.
 */
const VIEWS = [
  'views_by_minute_mv',
  'views_recent_mv',
  'ingest_counts_views_mv',
  'ingested_offsets_mv',
  'views_dead_letter_mv',
  'ingest_counts_dead_letters_mv',
];

async function main(): Promise<void> {
  const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
  const rows = arg('rows', 1_000_000);
  const videos = arg('videos', 1_000_000);
  const dataDir = join(tmpdir(), `viewrank-chain-${process.pid}`);
  const database = `chain_${process.pid}`;
  const config = loadConfig({ CHDB_PATH: dataDir, CLICKHOUSE_DATABASE: database, KAFKA_TOPIC: 'chain-unused', LOG_LEVEL: 'warn' });
  const clickhouse = new ClickHouseService(config);
  const insert = async (block: number): Promise<number> => {
    await mergesSettled(clickhouse);
    const started = performance.now();
    for (let from = 0; from < rows; from += block)
      await clickhouse.command(benchStatement('view_chain_insert'), { db: database, from, to: from + block });
    return Math.round(performance.now() - started);
  };
  const median = async (block: number) => [await insert(block), await insert(block), await insert(block)].sort((a, b) => a - b)[1];
  try {
    await runMigrations(clickhouse, config);
    await clickhouse.command(benchStatement('view_chain_source'), { db: database, rows, videos });
    await insert(rows); // warm-up: the first insert into empty tables is slower than any later one
    const byBlock: Record<string, number> = {};
    for (const block of [rows, 200_000, 50_000, 20_000]) byBlock[block] = await median(block);
    for (const view of VIEWS) await clickhouse.command('DETACH TABLE {db:Identifier}.{view:Identifier}', { db: database, view });
    const attached: { view: string; ms: number; addedMs: number }[] = [];
    let last = await median(rows);
    attached.push({ view: '(none)', ms: last, addedMs: last });
    for (const view of VIEWS) {
      await clickhouse.command('ATTACH TABLE {db:Identifier}.{view:Identifier}', { db: database, view });
      const ms = await median(rows);
      attached.push({ view, ms, addedMs: ms - last });
      last = ms;
    }
    const result = {
      benchmark: 'the materialized-view chain alone: parsed views into views_parsed (bench/view-chain.ts), median of 3 inserts',
      date: new Date().toISOString(),
      rows,
      videos,
      distinctVideos: Number(
        (await clickhouse.select<{ n: string }>('SELECT uniqExact(video_id) AS n FROM {db:Identifier}.chain_source', { db: database }))[0]
          .n,
      ),
      wholeChainMsByBlockRows: byBlock,
      viewsAttachedInOrder: attached,
    };
    mkdirSync('bench/results', { recursive: true });
    const label = process.argv.find((a) => a.startsWith('--label='))?.slice('--label='.length);
    const file = `bench/results/view-chain-${result.date.slice(0, 10)}${label ? `-${label}` : ''}.json`;
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result, null, 2));
    console.log(`written to ${file}`);
  } finally {
    await clickhouse.onApplicationShutdown();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

run(main);
