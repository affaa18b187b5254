// Precompute benchmark: full vs incremental top-K refresh per window as the catalogue grows.
// For each catalogue size, a synthetic Zipf history is written straight into ClickHouse (bench/sql/
// precompute_history.sql: the month so far, today's hours, a current hour holding a quarter of the catalogue).
// The service's own WindowRefresher then computes every window in full, and for three rounds U draws of views go
// through the materialized views and every window is refreshed incrementally, then computed in full at the same
// state: that full computation is both the exactness check and the time to beat. Writes bench/results/precompute-<date>.json and prints a table.
// Usage: npm run bench:precompute -- [--smoke] [--sizes=1000000,10000000,50000000] [--updates=10000,100000]
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClickHouseService } from '../src/clickhouse/clickhouse.service';
import { runMigrations } from '../src/clickhouse/migrations';
import { loadConfig } from '../src/config/app-config';
import { TopKRepository } from '../src/top-k/top-k.repository';
import { INCREMENTAL } from '../src/top-k/incremental';
import { WindowRefresher } from '../src/top-k/window-refresher';
import type { GrowingWindow } from '../src/top-k/windows';
import { toClickHouseDateTime } from '../src/clickhouse/params';
import { isTumbling, MAX_K, tumblingWindow } from '../src/top-k/windows';
import { mergesSettled } from './lib/merges';
import { onDatabase } from '../test/support/clickhouse';
import { percentile } from './lib/service';
import { benchStatement, benchStatements } from './lib/sql';
import { machine, run, writeResult } from './report';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const smoke = process.argv.includes('--smoke');
const sizes = (arg('sizes') ?? (smoke ? '100000' : '1000000,10000000,50000000')).split(',').map(Number);
const updateRates = (arg('updates') ?? (smoke ? '2000' : '10000,100000')).split(',').map(Number);
const ROUNDS = 3;

/** One window at one catalogue size and update rate: a full top 1000 vs the incremental refresh, each the median of the rounds. */
export interface PrecomputeRow {
  videos: number;
  updates: number;
  distinctUpdated: number;
  window: GrowingWindow;
  fullMs: number;
  incrementalMs: number;
  lookedUp: number;
  speedup: number;
  exact: boolean;
}

const WINDOWS: GrowingWindow[] = ['hour', 'day', 'month', 'all-time'];
const HOUR = 3_600_000;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = process.hrtime.bigint();
  const result = await fn();
  return [result, Number(process.hrtime.bigint() - started) / 1e6];
}

const median = (values: number[]) => percentile(values, 50);

async function main(): Promise<void> {
  const dataDir = join(tmpdir(), `viewrank-bench-${process.pid}`);
  const base = new ClickHouseService(loadConfig({ CHDB_PATH: dataDir, LOG_LEVEL: 'warn' }));
  // One instant for the whole run, so an hour that ends mid-run does not roll the windows over.
  const now = new Date();
  const monthStart = tumblingWindow('month', now).start.getTime();
  const dayStart = tumblingWindow('day', now).start.getTime();
  const history = {
    now: toClickHouseDateTime(now),
    month_hours: Math.max(1, (dayStart - monthStart) / HOUR),
    today_hours: Math.floor((now.getTime() - dayStart) / HOUR),
  };
  const results: PrecomputeRow[] = [];
  try {
    for (const videos of sizes) {
      const database = `bench_${videos}`;
      const config = loadConfig({
        CHDB_PATH: dataDir,
        CLICKHOUSE_DATABASE: database,
        KAFKA_TOPIC: `bench-unused-${process.pid}`,
        KAFKA_GROUP: `bench-${process.pid}`,
      });
      const clickhouse = onDatabase(base, database);
      await runMigrations(clickhouse, config);
      const repository = new TopKRepository(clickhouse);
      const [, loadMs] = await timed(async () => {
        for (const statement of benchStatements('precompute_history')) await clickhouse.command(statement, { ...history, n: videos });
      });
      await mergesSettled(clickhouse); // the load's merges would compete with the refreshes for the same cores
      const [{ rows }] = await clickhouse.select<{ rows: string }>('SELECT count() AS rows FROM {db:Identifier}.views_by_hour');
      console.log(`${videos} videos: ${rows} hour rows loaded in ${(loadMs / 1000).toFixed(1)} s`);

      for (const updates of updateRates) {
        // The service's refresher, with its defaults, except that no periodic full computation interrupts the rounds.
        const refresher = new WindowRefresher(repository, { ...INCREMENTAL, fullEveryMs: 86_400_000 });
        let serverNowMs = await repository.serverNowMs();
        for await (const _ of refresher.refreshAll(now, serverNowMs));
        const rounds = new Map<GrowingWindow, { ms: number; fullMs: number; lookedUp: number }[]>(WINDOWS.map((w) => [w, []]));
        const distinct: number[] = [];
        for (let round = 0; round < ROUNDS; round++) {
          const before = await repository.serverNowMs();
          await clickhouse.command(benchStatement('precompute_updates'), {
            now: toClickHouseDateTime(now),
            n: videos,
            updates,
            seed: round + 1,
          });
          const [{ touched }] = await clickhouse.select<{ touched: string }>(
            'SELECT uniqExact(video_id) AS touched FROM {db:Identifier}.views_recent WHERE ingested_at >= fromUnixTimestamp64Milli({since:Int64})',
            { since: before },
          );
          distinct.push(Number(touched));
          serverNowMs = await repository.serverNowMs();
          // Each window's time is the refresher's between two lists; the first window's includes the read of every
          // window's growth (one query for the four).
          const refreshes = refresher.refreshAll(now, serverNowMs);
          for (;;) {
            const [step, ms] = await timed(() => refreshes.next());
            if (step.done) break;
            const refresh = step.value;
            const window = refresh.window;
            if (refresh.mode !== 'incremental') throw new Error(`${window} computed in full in round ${round}`);
            // The full computation at the same state, as a refresh without the incremental path would run it.
            const [full, fullMs] = await timed(() =>
              repository.top({ window, interval: isTumbling(window) ? tumblingWindow(window, now) : undefined }, MAX_K),
            );
            if (JSON.stringify(full) !== JSON.stringify(refresh.entries))
              throw new Error(`incremental differs from full for ${window} at ${videos} videos`);
            rounds.get(window)!.push({ ms, fullMs, lookedUp: refresh.lookedUp! });
          }
        }
        for (const window of WINDOWS) {
          const incrementalMs = median(rounds.get(window)!.map((r) => r.ms));
          const fullMs = median(rounds.get(window)!.map((r) => r.fullMs));
          const row: PrecomputeRow = {
            videos,
            updates,
            distinctUpdated: Math.round(median(distinct)),
            window,
            fullMs: Math.round(fullMs),
            incrementalMs: Math.round(incrementalMs),
            lookedUp: Math.round(median(rounds.get(window)!.map((r) => r.lookedUp))),
            speedup: +(fullMs / incrementalMs).toFixed(1),
            exact: true,
          };
          results.push(row);
          console.log(JSON.stringify(row));
        }
      }
      await clickhouse.command('DROP DATABASE IF EXISTS {db:Identifier} SYNC');
    }
  } finally {
    await base.onApplicationShutdown();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const out = {
    benchmark: 'precompute: full vs incremental top-1000 refresh per window',
    date: now.toISOString(),
    machine: machine(),
    clickhouse: 'embedded chDB 3.4.0 (ClickHouse 26.7)',
    smoke,
    rounds: ROUNDS,
    results,
  };
  // From the suite (--json): one JSON line for it to keep; on its own: a results file.
  if (process.argv.includes('--json')) console.log(JSON.stringify(out));
  else writeResult(smoke ? 'precompute-smoke' : 'precompute', out, results);
}

run(main);
