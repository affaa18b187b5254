// The refresh's thread (started by RefreshThread, refresh-thread.ts): WindowRefresher and its state, the engine's
// answers parsed here. Each query is run by the main thread, which holds the engine; nothing imported here loads it.
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { Lane } from '../clickhouse/clickhouse.service';
import { SqlQuery } from '../clickhouse/sql-query';
import { IncrementalOptions } from './incremental';
import type { FromRefreshThread, ToRefreshThread } from './refresh-thread';
import { EngineRows, TopKReader } from './top-k.reader';
import { WindowRefresher } from './window-refresher';

/**
 * This thread's nice value: below the event loop's (0), so that a read waiting for the main thread gets the core
 * first, and above the engine's threads (10), so that ingestion does not delay the lists. (On Linux, priority 0
 * names the calling thread alone.)
 */
const REFRESH_THREAD_NICE = 5;
try {
  setPriority(0, REFRESH_THREAD_NICE);
} catch {
  // Not permitted here, or not Linux: the thread keeps the process's priority.
}

const port = parentPort!;
const send = (message: FromRefreshThread) => port.postMessage(message);
const waiting = new Map<number, { resolve: (text: string) => void; reject: (error: Error) => void }>();
let asked = 0;

/** The rows of one of TopKReader's queries, run by the main thread, parsed here as @clickhouse/client parses JSON lines. */
async function rows<R>(query: SqlQuery<object, R>, params: object, lane?: Lane): Promise<R[]> {
  const id = ++asked;
  const text = await new Promise<string>((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    send({ type: 'query', id, name: query.name, params, lane });
  });
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as R);
}

const engine: EngineRows = {
  rows: (query, params) => rows(query, params),
  laneRows: (lane, query, params) => rows(query, params, lane),
};
const refresher = new WindowRefresher(new TopKReader(engine), (workerData as { options: IncrementalOptions }).options);

async function refresh(id: number, nowMs: number, serverNowMs: number): Promise<void> {
  try {
    for await (const window of refresher.refreshAll(new Date(nowMs), serverNowMs)) send({ type: 'window', id, window });
    send({ type: 'done', id });
  } catch (error) {
    send({ type: 'failed', id, error: (error as Error).message });
  }
}

port.on('message', (message: ToRefreshThread) => {
  if (message.type === 'refresh') return void refresh(message.id, message.nowMs, message.serverNowMs);
  const asker = waiting.get(message.id);
  waiting.delete(message.id);
  if (message.error !== undefined) asker?.reject(new Error(message.error));
  else asker?.resolve(message.text ?? '');
});
