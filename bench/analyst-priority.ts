// Analyst priority: does ClickHouse's os_thread_priority (ANALYST_OS_THREAD_PRIORITY) keep an analyst's heavy query
// from slowing the service's own work in the embedded engine? The service's work is ingestion's write through the
// materialized-view chain (views straight into views_parsed, bench/sql/physical_from_numbers.sql) and a full
// top-1000 refresh; each is timed alone, then beside an analyst query that keeps its threads busy
// (bench/sql/analyst_load.sql), with 1 and 2 analyst threads, at nice 0 and at nice 19.
// Writes bench/results/analyst-priority-<date>.json and prints a table.
// Usage: npm run bench:analyst-priority -- [--smoke] [--rows=500000] [--rounds=5]
import { ClickHouseSettings } from '@clickhouse/client';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSeparateSession } from '../src/clickhouse/clickhouse.client';
import { ClickHouseService } from '../src/clickhouse/clickhouse.service';
import { runMigrations } from '../src/clickhouse/migrations';
import { loadConfig } from '../src/config/app-config';
import { percentile } from './lib/service';
import { benchStatement } from './lib/sql';
import { machine, run, writeResult } from './report';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const smoke = process.argv.includes('--smoke');
const ROWS = Number(arg('rows') ?? (smoke ? 50_000 : 500_000));
const ROUNDS = Number(arg('rounds') ?? (smoke ? 2 : 5));
const VIDEOS = 100_000;

interface Condition {
  name: string;
  analystThreads?: number;
  nice?: number;
}

const CONDITIONS: Condition[] = [
  { name: 'alone' },
  { name: 'analyst 1 thread, nice 0', analystThreads: 1, nice: 0 },
  { name: 'analyst 1 thread, nice 19', analystThreads: 1, nice: 19 },
  { name: 'analyst 2 threads, nice 0', analystThreads: 2, nice: 0 },
  { name: 'analyst 2 threads, nice 19', analystThreads: 2, nice: 19 },
];

/** Nice values of this process's threads, counted: proof that the setting reached the analyst's threads. */
function threadNices(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const task of readdirSync('/proc/self/task')) {
    try {
      const nice = readFileSync(`/proc/self/task/${task}/stat`, 'utf8').split(') ')[1].split(' ')[16];
      counts[nice] = (counts[nice] ?? 0) + 1;
    } catch {
      // the thread ended meanwhile
    }
  }
  return counts;
}

async function main(): Promise<void> {
  const dataDir = join(tmpdir(), `viewrank-analyst-priority-${process.pid}`);
  const config = loadConfig({
    CHDB_PATH: dataDir,
    CLICKHOUSE_DATABASE: `priority_${process.pid}`,
    KAFKA_TOPIC: `priority-unused-${process.pid}`,
    KAFKA_GROUP: `priority-${process.pid}`,
    LOG_LEVEL: 'warn',
  });
  const service = new ClickHouseService(config);
  const analyst = openSeparateSession(config.clickhouse);
  const insert = benchStatement('physical_from_numbers');
  const topK = benchStatement('analyst_priority_topk');
  const load = benchStatement('analyst_load');
  const rows = [];
  try {
    await runMigrations(service, config);
    const write = async () => {
      const started = performance.now();
      await service.command(insert, { rows: ROWS, videos: VIDEOS });
      return performance.now() - started;
    };
    const refresh = async () => {
      const started = performance.now();
      await service.select(topK);
      return performance.now() - started;
    };
    await write(); // warm-up: the first write creates the parts every later one merges into
    for (const condition of CONDITIONS) {
      let stop = false;
      let analystQueries = 0;
      const settings = {
        max_threads: condition.analystThreads,
        os_thread_priority: String(condition.nice ?? 0),
        max_execution_time: 3,
        timeout_overflow_mode: 'break',
      } as ClickHouseSettings;
      const busy = condition.analystThreads
        ? (async () => {
            while (!stop) {
              await analyst.command({ query: load, clickhouse_settings: settings });
              analystQueries++;
            }
          })()
        : Promise.resolve();
      await new Promise((resolve) => setTimeout(resolve, 300));
      const nices = threadNices();
      const writes: number[] = [];
      const refreshes: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        writes.push(await write());
        refreshes.push(await refresh());
      }
      stop = true;
      await busy;
      rows.push({
        condition: condition.name,
        writeMs: Math.round(percentile(writes, 50)),
        writeRowsPerSecond: Math.round(ROWS / (percentile(writes, 50) / 1000)),
        refreshMs: Math.round(percentile(refreshes, 50)),
        analystQueries,
        threadNices: nices,
      });
      console.error(`${condition.name}: done`);
    }
  } finally {
    await analyst.close();
    await service.onApplicationShutdown();
    rmSync(dataDir, { recursive: true, force: true });
  }
  const alone = rows[0];
  const table = rows.map((r) => ({
    ...r,
    writeSlowdown: Number((r.writeMs / alone.writeMs).toFixed(2)),
    refreshSlowdown: Number((r.refreshMs / alone.refreshMs).toFixed(2)),
    threadNices: JSON.stringify(r.threadNices),
  }));
  writeResult(
    smoke ? 'analyst-priority-smoke' : 'analyst-priority',
    { date: new Date().toISOString(), machine: machine(), rowsPerWrite: ROWS, rounds: ROUNDS, rows: table } as { date: string },
    table,
  );
}

run(main);
