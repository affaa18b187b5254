// The growing windows' refresh on a thread of its own (issue #36, item 3): WindowRefresher runs in a worker
// (refresh.worker.ts), which parses the engine's answers and merges and ranks the lists there, so that none of that
// JavaScript holds the event loop that serves reads. The engine stays on this thread (chDB cannot run in a worker:
// the process dies with SIGSEGV when the worker ends): the worker asks for each query's rows by name and gets them
// back as the engine wrote them, JSON lines, parsed on its side. What crosses is text and the lists published.
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Lane } from '../clickhouse/clickhouse.service';
import { IncrementalOptions } from './incremental';
import { WindowRefresh } from './window-refresher';

/** One of TopKReader's queries, as the worker asks for it. */
export interface RowsRequest {
  name: string;
  params: object;
  lane?: Lane;
}

/** What the worker sends: a query to run, or a refresh's progress. */
export type FromRefreshThread =
  | ({ type: 'query'; id: number } & RowsRequest)
  | { type: 'window'; id: number; window: WindowRefresh }
  | { type: 'done'; id: number }
  | { type: 'failed'; id: number; error: string };

/** What the worker is sent: a refresh to run, or a query's rows (JSON lines) or why it failed. */
export type ToRefreshThread =
  { type: 'refresh'; id: number; nowMs: number; serverNowMs: number } | { type: 'rows'; id: number; text?: string; error?: string };

type Delivery = { window: WindowRefresh } | { end: true } | { error: Error };

export class RefreshThread {
  private worker?: Worker;
  private refreshes = 0;
  /** Where the running refresh's progress goes (undefined between refreshes: a stale message is dropped). */
  private deliver?: (delivery: Delivery) => void;
  private current = -1;

  /** `rows` runs one of TopKReader's queries (by name) in this thread and answers its rows as JSON lines. */
  constructor(
    private readonly rows: (request: RowsRequest) => Promise<string>,
    private readonly options: IncrementalOptions,
  ) {}

  /**
   * What WindowRefresher.refreshAll yields, computed in the worker: every growing window at `now`, each as soon as it
   * is computed. One refresh at a time (PrecomputeService never starts a second while one runs). The worker keeps
   * the windows' state between refreshes; if it dies, the refresh fails and the next one starts a new worker, whose
   * first lists are computed in full.
   */
  async *refreshAll(now: Date, serverNowMs: number): AsyncGenerator<WindowRefresh> {
    const worker = this.started();
    const id = ++this.refreshes;
    const inbox: Delivery[] = [];
    let wake: (() => void) | undefined;
    this.current = id;
    this.deliver = (delivery) => {
      inbox.push(delivery);
      wake?.();
    };
    worker.postMessage({ type: 'refresh', id, nowMs: now.getTime(), serverNowMs } satisfies ToRefreshThread);
    try {
      for (;;) {
        while (inbox.length === 0) await new Promise<void>((resolve) => (wake = resolve));
        const delivery = inbox.shift()!;
        if ('end' in delivery) return;
        if ('error' in delivery) throw delivery.error;
        yield delivery.window;
      }
    } finally {
      this.deliver = undefined;
      this.current = -1;
    }
  }

  /**
   * Ends the worker (PrecomputeService waits for the last refresh first). A refresh still running fails; the next one
   * starts a new worker.
   */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.deliver?.({ error: new Error("the refresh's thread was closed") });
    await worker?.terminate();
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    // Built, the worker is dist/top-k/refresh.worker.js; under the tests (ts-jest), this file is TypeScript and so is
    // the worker, which then compiles itself as the benchmarks' scripts do.
    const typescript = extname(__filename) === '.ts';
    const worker = new Worker(join(__dirname, `refresh.worker${extname(__filename)}`), {
      workerData: { options: this.options },
      execArgv: typescript ? ['-r', 'ts-node/register/transpile-only'] : [],
    });
    worker.on('message', (message: FromRefreshThread) => this.received(worker, message));
    worker.on('error', (error) => this.lost(worker, error));
    worker.on('exit', (code) => this.lost(worker, new Error(`the refresh's thread exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  private received(worker: Worker, message: FromRefreshThread): void {
    if (message.type === 'query') {
      const { id, ...request } = message;
      this.rows(request).then(
        (text) => worker.postMessage({ type: 'rows', id, text } satisfies ToRefreshThread),
        (error: Error) => worker.postMessage({ type: 'rows', id, error: error.message } satisfies ToRefreshThread),
      );
      return;
    }
    if (message.id !== this.current) return;
    if (message.type === 'window') this.deliver?.({ window: message.window });
    else if (message.type === 'done') this.deliver?.({ end: true });
    else this.deliver?.({ error: new Error(message.error) });
  }

  private lost(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.deliver?.({ error });
  }
}
