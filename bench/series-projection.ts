// What a projection ordered by video would cost and give (issue #37's charts, #36's hot path): views_by_minute as the
// migrations make it, filled with an hour of minutes straight into the table (rows per minute as a busy hour has), in
// three variants: as it is, with a full projection ordered (video_id, minute), and with a projection index
// (_part_offset ordered by video_id). For each: the insert of one minute's rows (the table's share of a block's
// work), and GET /views/series's read of 100 videos over the hour (VideoSeriesRepository, the service's code).
// Ad hoc: written to bench/results/series-projection-<date>.json, not part of the suite.
// Usage: npm run bench:series-projection -- [--rows=200000] [--catalogue=1000000] [--minutes=60]
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClickHouseService } from '../src/clickhouse/clickhouse.service';
import { runMigrations } from '../src/clickhouse/migrations';
import { loadConfig } from '../src/config/app-config';
import { VideoSeriesRepository } from '../src/videos/video-series.repository';
import { mergesSettled } from './lib/merges';
import { percentile } from './lib/service';
import { run } from './report';

const VARIANTS: Record<string, string | undefined> = {
  'as it is: (minute, video_id)': undefined,
  'projection (video_id, minute), every column':
    'ALTER TABLE {db:Identifier}.views_by_minute ADD PROJECTION by_video (SELECT * ORDER BY video_id, minute)',
  'projection index: _part_offset by video_id':
    'ALTER TABLE {db:Identifier}.views_by_minute ADD PROJECTION by_video (SELECT _part_offset ORDER BY video_id)',
};

const MINUTE_ROWS = `
INSERT INTO {db:Identifier}.views_by_minute (minute, video_id, views, on_time, progress)
SELECT {minute:DateTime('UTC')}, concat('v', toString(cityHash64(number, {seed:UInt64}) % {catalogue:UInt64})), 1 + number % 7, 1 + number % 7, 0
FROM numbers({rows:UInt64})`;

async function main(): Promise<void> {
  const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
  const rows = arg('rows', 200_000);
  const catalogue = arg('catalogue', 1_000_000);
  const minutes = arg('minutes', 60);
  const dataDir = join(tmpdir(), `viewrank-projection-${process.pid}`);
  const results = [];
  const last = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  const first = new Date(last.getTime() - (minutes - 1) * 60_000);
  const videos = Array.from({ length: 100 }, (_, i) => `v${(i * 7919 + 13) % catalogue}`);
  // One engine, one database, each variant on the emptied table: chDB keeps one data directory per process.
  const database = `projection_${process.pid}`;
  const config = loadConfig({ CHDB_PATH: dataDir, CLICKHOUSE_DATABASE: database, KAFKA_TOPIC: 'projection-unused', LOG_LEVEL: 'warn' });
  const clickhouse = new ClickHouseService(config);
  try {
    await runMigrations(clickhouse, config);
    for (const [variant, projection] of Object.entries(VARIANTS)) {
      try {
        await clickhouse.command('ALTER TABLE {db:Identifier}.views_by_minute DROP PROJECTION IF EXISTS by_video', { db: database });
        await clickhouse.command('TRUNCATE TABLE {db:Identifier}.views_by_minute SYNC', { db: database });
        if (projection) {
          await clickhouse.command(
            "ALTER TABLE {db:Identifier}.views_by_minute MODIFY SETTING deduplicate_merge_projection_mode = 'rebuild'",
            { db: database },
          );
          await clickhouse.command(projection, { db: database });
        }
        const insertMs: number[] = [];
        for (let m = 0; m < minutes; m++) {
          const minute = new Date(first.getTime() + m * 60_000).toISOString().slice(0, 19).replace('T', ' ');
          const started = performance.now();
          await clickhouse.command(MINUTE_ROWS, { db: database, minute, seed: m, catalogue, rows });
          insertMs.push(performance.now() - started);
        }
        await mergesSettled(clickhouse);
        const repository = new VideoSeriesRepository(clickhouse);
        const readMs: number[] = [];
        let views = 0;
        for (let i = 0; i < 10; i++) {
          const started = performance.now();
          const answer = await repository.views(videos, 'minute', first, last);
          readMs.push(performance.now() - started);
          views = [...answer.values()].reduce((sum, byMinute) => sum + [...byMinute.values()].reduce((a, b) => a + b, 0), 0);
        }
        const [{ bytes }] = await clickhouse.select<{ bytes: string }>(
          "SELECT sum(bytes_on_disk) AS bytes FROM system.parts WHERE database = {db:String} AND table = 'views_by_minute' AND active",
        );
        const result = {
          variant,
          insertMsPerMinuteOfRows: { p50: Math.round(percentile(insertMs, 50)), p90: Math.round(percentile(insertMs, 90)) },
          read100VideosMs: { p50: Math.round(percentile(readMs, 50)), max: Math.round(Math.max(...readMs)) },
          viewsRead: views,
          tableMiB: Math.round(Number(bytes) / 1048576),
        };
        console.log(JSON.stringify(result));
        results.push(result);
      } catch (error) {
        const message = (error as Error).message.split('\n')[0];
        console.log(JSON.stringify({ variant, error: message }));
        results.push({ variant, error: message });
      }
    }
  } finally {
    await clickhouse.onApplicationShutdown();
  }
  rmSync(dataDir, { recursive: true, force: true });
  const out = {
    benchmark: 'views_by_minute with and without a projection by video (bench/series-projection.ts)',
    date: new Date().toISOString(),
    rowsPerMinute: rows,
    catalogue,
    minutes,
    results,
  };
  mkdirSync('bench/results', { recursive: true });
  const file = `bench/results/series-projection-${out.date.slice(0, 10)}.json`;
  writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
  console.log(`written to ${file}`);
}

run(main);
