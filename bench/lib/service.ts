// The real service (dist/main.js) as the benchmarks run it: its own data directory, database, topic and group.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uniqueName } from '../../test/support/kafka';
import { freePort, ServiceProcess } from '../../test/support/service-process';

export interface BenchService {
  service: ServiceProcess;
  topic: string;
  dataDir: string;
  /** Views counted so far, as the service's own metric reports them (polled from ClickHouse every 250 ms). */
  ingested(): Promise<number>;
  /** Size of the embedded ClickHouse data directory, MiB. */
  diskMiB(): number;
  stop(): Promise<void>;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts the service; `name` (a fresh one by default) names its database and consumer group, and its topic if none is given. */
export async function startService(options: {
  name?: string;
  topic?: string;
  env?: Record<string, string>;
  ready?: 'served' | 'listening';
}): Promise<BenchService> {
  const name = options.name ?? uniqueName('bench');
  const topic = options.topic ?? name;
  const dataDir = mkdtempSync(join(tmpdir(), 'viewrank-bench-'));
  const service = new ServiceProcess({
    PORT: String(await freePort()),
    CHDB_PATH: dataDir,
    CLICKHOUSE_DATABASE: name,
    KAFKA_TOPIC: topic,
    KAFKA_GROUP: name,
    INGEST_POLL_INTERVAL_MS: '250',
    LOG_LEVEL: 'warn',
    ...options.env,
  });
  await service.start({ ready: options.ready ?? 'served' });
  return {
    service,
    topic,
    dataDir,
    ingested: () => service.viewsCounted(),
    // du exits 1 when a part vanishes mid-walk (merges go on); its total is still right.
    diskMiB: () => Math.round(Number(spawnSync('du', ['-sk', dataDir], { encoding: 'utf8' }).stdout.split('\t')[0]) / 1024),
    async stop() {
      await service.stop('SIGTERM');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls until check() is true; returns when it became true (performance.now()). */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (await check()) return performance.now();
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** The load generator as a child process (so its CPU is its own); resolves with its result line, cores used included. */
export function loadgenProcess(args: Record<string, string | number>): {
  pid: number;
  done: Promise<{ views: number; viewsPerSecond: number; cores: number }>;
  stop(): void;
} {
  const argv = Object.entries(args).flatMap(([k, v]) => [`--${k}`, String(v)]);
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(__dirname, '../loadgen.ts'), ...argv, '--json'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  const done = new Promise<{ views: number; viewsPerSecond: number; cores: number }>((resolve, reject) =>
    child.on('exit', (code) =>
      code === 0 ? resolve(JSON.parse(output.trim().split('\n').at(-1)!)) : reject(new Error(`loadgen exited with ${code}: ${output}`)),
    ),
  );
  return { pid: child.pid!, done, stop: () => child.kill('SIGTERM') };
}

/** The largest value (Math.max(...values) overflows the stack past about 100,000 values). */
export function maximum(values: number[]): number {
  return values.reduce((a, b) => Math.max(a, b), -Infinity);
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Waits until something listens on a loopback port. */
export function waitForPort(port: number, what: string): Promise<number> {
  const accepts = () =>
    new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
  return until(`${what} to listen on port ${port}`, accepts, 30_000, 100);
}
