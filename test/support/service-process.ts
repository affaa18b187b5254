// The built service (dist/main.js) as a real child process: started, stopped and restarted by the test.
import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { waitFor } from './app';

export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

/** Every service process started in this jest process and not yet exited. */
const running = new Set<ChildProcess>();

/**
 * Kills (SIGKILL) every service process a test left running, and says how many. Called after each test file
 * (jest-setup.ts): a test that fails between start and stop would otherwise leave its child holding jest's event loop
 * open through its output pipes, and the run would never end.
 */
export function killLeftOverServices(): number {
  const left = [...running];
  for (const child of left) child.kill('SIGKILL');
  running.clear();
  return left.length;
}

export interface TopKResponse {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

export class ServiceProcess {
  private child?: ChildProcess;
  /** Everything the process printed, both streams as the chunks came: to show when a test fails. */
  output = '';
  /**
   * Each stream on its own (the service logs on stdout, the engine on stderr). Lines are read per stream: chunks of
   * the two pipes arrive interleaved, so a line of one can be cut by a chunk of the other in `output`.
   */
  private readonly streams = { stdout: '', stderr: '' };

  private readonly env: Record<string, string>;
  private readonly under: string[];

  /**
   * No drain on SIGTERM unless the test asks for one: most tests stop services often. `under`: a command that runs
   * the service, given Node and the script as its last arguments (e.g. unshare ... sh -c '... exec "$0" "$@"').
   */
  constructor(env: Record<string, string>, { under = [] }: { under?: string[] } = {}) {
    this.env = { SHUTDOWN_DRAIN_MS: '0', ...env };
    this.under = under;
  }

  /** The non-empty lines the process printed: stdout's, then stderr's, each stream split on its own. */
  lines(): string[] {
    return [this.streams.stdout, this.streams.stderr].flatMap((text) => text.split('\n')).filter((line) => line.trim() !== '');
  }

  /** The lines of the output that are not a JSON object: what a JSON log pipeline would choke on. */
  nonJsonLines(): string[] {
    return this.lines().filter((line) => {
      try {
        return typeof JSON.parse(line) !== 'object';
      } catch {
        return true;
      }
    });
  }

  /** The process id while it runs (for CPU and memory readings). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get url(): string {
    return `http://127.0.0.1:${this.env.PORT}`;
  }

  /**
   * Starts the process and waits until it is ready: by default until it serves the all-time list (the last
   * window a refresh computes); with 'listening', until it answers HTTP at all (503 before any refresh).
   */
  async start({ ready }: { ready: 'served' | 'listening' } = { ready: 'served' }): Promise<void> {
    const [command, ...args] = [...this.under, process.execPath, join(__dirname, '../../dist/main.js')];
    const child = spawn(command, args, {
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    running.add(child);
    child.once('exit', () => running.delete(child));
    for (const name of ['stdout', 'stderr'] as const) {
      child[name]!.on('data', (d) => {
        this.output += d;
        this.streams[name] += d;
      });
    }
    await waitFor(
      'the service to serve its first list',
      async () => {
        if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}:\n${this.output}`);
        const { status } = await this.topK('all-time', 1);
        return ready === 'listening' || status === 200;
      },
      60_000,
      ready === 'listening' ? 50 : 250,
    );
  }

  /** Sends a signal and waits for the process to end; returns its exit code (or the signal's name). */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 30_000): Promise<number | string> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return child?.exitCode ?? 'not running';
    const exited = once(child, 'exit');
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const [code, sig] = (await exited) as [number | null, string | null];
    clearTimeout(timer);
    return code ?? sig ?? 'unknown';
  }

  /** Views counted so far, as the service's metrics say (its ingestion totals, read every INGEST_POLL_INTERVAL_MS). */
  async viewsCounted(): Promise<number> {
    return (await this.metric('viewrank_views_ingested_total')) ?? 0;
  }

  /** An unlabelled whole-number metric of /metrics now, or undefined while the service does not report it. */
  async metric(name: string): Promise<number | undefined> {
    const text = await (await fetch(`${this.url}/metrics`)).text();
    const value = new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1];
    return value === undefined ? undefined : Number(value);
  }

  /**
   * Waits until the service's consumer lag (its metric, which counts what ClickHouse wrote) is 0: everything produced
   * so far has been consumed.
   */
  async consumedEverything(timeoutMs = 120_000): Promise<void> {
    await waitFor(
      'the service to have consumed everything',
      async () => {
        const text = await (await fetch(`${this.url}/metrics`)).text();
        if (/^viewrank_kafka_consumer_lag_messages 0$/m.test(text)) return true;
        // Not yet: what the service says now, which a timeout reports (a lag that stays, or no reading at all).
        const state = text.split('\n').filter((l) => /^viewrank_(kafka_|views_ingested_total|ready)/.test(l));
        throw new Error(`the service reports: ${state.join('; ') || 'no Kafka metrics'}`);
      },
      timeoutMs,
      1000,
    );
  }

  /** GET /views/top-k; with `at`, the list of the window that contains that instant. */
  async topK(window: string, k: number, at?: Date): Promise<TopKResponse> {
    const response = await fetch(`${this.url}/views/top-k?window=${window}&k=${k}${at ? `&at=${at.toISOString()}` : ''}`);
    return { status: response.status, body: await response.json(), headers: Object.fromEntries(response.headers) };
  }
}
