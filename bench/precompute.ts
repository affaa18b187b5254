// Precompute benchmark: full vs incremental top-K refresh per window as the catalogue grows.
// For each catalogue size, a synthetic history is inserted straight into ClickHouse (hour rows over the month so far,
// all-time totals), then U distinct videos receive views through the real path (views_parsed → materialized views)
// and each window is refreshed both ways. Writes bench/results/precompute-<date>.json and prints a table.
// Usage: npm run bench:precompute -- [--smoke] [--sizes=1000000,10000000,50000000] [--updates=10000,100000]
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClickHouseService } from '../src/clickhouse/clickhouse.service';
import { runMigrations } from '../src/clickhouse/migrations';
import { loadConfig } from '../src/config/app-config';
import { TopKRepository } from '../src/topk/topk.repository';
import { MAX_K, tumblingWindow, TumblingWindow } from '../src/topk/windows';
import { machine, run, writeResult } from './report';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const smoke = process.argv.includes('--smoke');
const sizes = (arg('sizes') ?? (smoke ? '100000' : '1000000,10000000,50000000')).split(',').map(Number);
const updateRates = (arg('updates') ?? (smoke ? '1000' : '10000,100000')).split(',').map(Number);
const WINDOWS: (TumblingWindow | 'all-time')[] = ['hour', 'day', 'month', 'all-time'];

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = process.hrtime.bigint();
  const result = await fn();
  return [result, Number(process.hrtime.bigint() - started) / 1e6];
}

async function main(): Promise<void> {
  const dataDir = join(tmpdir(), `viewrank-bench-${process.pid}`);
  const base = new ClickHouseService(loadConfig({ CHDB_PATH: dataDir, LOG_LEVEL: 'warn' }));
  const now = new Date();
  const results: Record<string, unknown>[] = [];
  try {
    for (const videos of sizes) {
      const database = `bench_${videos}`;
      const config = loadConfig({ CHDB_PATH: dataDir, CLICKHOUSE_DATABASE: database, KAFKA_TOPIC: `bench-unused-${process.pid}`, KAFKA_GROUP: `bench-${process.pid}` });
      const clickhouse = base.withDatabase(database);
      await runMigrations(clickhouse, config);
      const repository = new TopKRepository(clickhouse);
      const hoursSoFar = Math.max(1, Math.floor((now.getTime() - tumblingWindow('month', now).start.getTime()) / 3_600_000));
      // Two hour rows per video spread over the month so far, plus the current hour for a slice of them.
      const [, loadMs] = await timed(async () => {
        for (const salt of [1, 2]) {
          await clickhouse.command(
            `INSERT INTO {db:Identifier}.views_by_hour SELECT toStartOfMonth(now()) + toIntervalHour(cityHash64(number, {salt:UInt8}) % {hours:UInt32}),
               concat('v', toString(number)), 1 + cityHash64(number, {salt:UInt8}, 7) % 1000 FROM numbers({n:UInt64})`,
            { salt, hours: hoursSoFar, n: videos },
          );
        }
        await clickhouse.command(
          `INSERT INTO {db:Identifier}.views_by_hour SELECT toStartOfHour(now()), concat('v', toString(number * 7 % {n:UInt64})), 1 + number % 100 FROM numbers(intDiv({n:UInt64}, 20))`,
          { n: videos },
        );
        await clickhouse.command(
          `INSERT INTO {db:Identifier}.views_total SELECT concat('v', toString(number)), 1 + cityHash64(number, 9) % 100000 FROM numbers({n:UInt64})`,
          { n: videos },
        );
        await clickhouse.command('OPTIMIZE TABLE {db:Identifier}.views_total FINAL');
      });
      console.log(`${videos} videos: history loaded in ${(loadMs / 1000).toFixed(1)} s`);

      for (const updates of updateRates) {
        // The previous lists, computed in full; then U distinct videos get views through the real ingest path.
        const previous = new Map<string, string[]>();
        for (const window of WINDOWS) {
          const entries = window === 'all-time' ? await repository.topAllTime(MAX_K) : await repository.topInInterval(tumblingWindow(window, now), MAX_K);
          previous.set(window, entries.map((e) => e.videoId));
        }
        const since = await repository.serverNowMs();
        await clickhouse.command(
          `INSERT INTO {db:Identifier}.views_parsed (video_id, event_time, error, raw_message, topic, partition, offset)
           SELECT concat('v', toString(cityHash64(number, {seed:UInt64}) % {n:UInt64})), now64(3), '', '', 'bench', 0, number FROM numbers({u:UInt64})`,
          { seed: Date.now() % 100000, n: videos, u: updates },
        );
        for (const window of WINDOWS) {
          const interval = window === 'all-time' ? undefined : tumblingWindow(window, now);
          const [full, fullMs] = await timed(() => (interval ? repository.topInInterval(interval, MAX_K) : repository.topAllTime(MAX_K)));
          const [incremental, incrementalMs] = await timed(() =>
            interval
              ? repository.topInIntervalIncremental(interval, MAX_K, previous.get(window)!, since)
              : repository.topAllTimeIncremental(MAX_K, previous.get(window)!, since),
          );
          const exact = JSON.stringify(full) === JSON.stringify(incremental);
          const row = { videos, updates, window, fullMs: Math.round(fullMs), incrementalMs: Math.round(incrementalMs), speedup: +(fullMs / incrementalMs).toFixed(1), exact };
          results.push(row);
          console.log(JSON.stringify(row));
          if (!exact) throw new Error(`incremental differs from full for ${window} at ${videos} videos`);
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
    results,
  };
  // From the suite (--json): one JSON line for it to keep; on its own: a results file.
  if (process.argv.includes('--json')) console.log(JSON.stringify(out));
  else writeResult(smoke ? 'precompute-smoke' : 'precompute', out, results);
}

run(main);
