// Embedded mode: the engine's threads yield the CPU to the event loop. chDB runs ClickHouse inside this process, so
// its Kafka consumers, views and merges compete with the thread that answers GET /views/top-k. ClickHouse's own
// os_thread_priority reaches only query threads (the Kafka engine's consumer threads kept nice 0 with it set in the
// profile), so the service sets the nice value of every engine thread itself, by name, and again every few seconds
// as the engine's pools start new threads. Linux only (per-thread nice through setpriority on a thread id).
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

export interface ProcessThread {
  tid: number;
  name: string;
}

/**
 * Node's own threads keep their priority: the main thread (its id is the process id), V8's platform workers (named
 * as the main thread is) and libuv's pool. Every other thread is the engine's: ClickHouse names its own
 * (ThreadPool, QueryPipelineEx, MergeMutate, Kafka…) and librdkafka's.
 */
export function engineThreads(threads: readonly ProcessThread[], pid: number): number[] {
  // Threads take their creator's name until renamed: V8's carry the main thread's (the executable's, at most 15 characters).
  const node = new Set(['node', 'libuv-worker', threads.find((t) => t.tid === pid)?.name]);
  return threads.filter((t) => t.tid !== pid && !node.has(t.name)).map((t) => t.tid);
}

export function processThreads(pid = process.pid): ProcessThread[] {
  const threads: ProcessThread[] = [];
  for (const entry of readdirSync(`/proc/${pid}/task`)) {
    try {
      threads.push({ tid: Number(entry), name: readFileSync(`/proc/${pid}/task/${entry}/comm`, 'utf8').trim() });
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return threads;
}

/**
 * Lowers to `nice` every engine thread that runs at a higher priority (new threads, and threads ClickHouse set back
 * to 0 after an analyst's query). A thread already nicer (an analyst's query at os_thread_priority 19) is left as it
 * is. Returns how many it changed.
 */
export function reniceEngineThreads(nice: number): number {
  let changed = 0;
  for (const tid of engineThreads(processThreads(), process.pid)) {
    try {
      if (getPriority(tid) >= nice) continue;
      setPriority(tid, nice);
      changed++;
    } catch {
      // The thread ended, or raising a priority back is not permitted here: neither stops the service.
    }
  }
  return changed;
}

/**
 * The nice value of the engine's threads (was ENGINE_THREAD_NICE): 10, below the event loop (0) that answers reads
 * and above an analyst's queries (19). Measured: reads' p99 during ingest 23 → 13 ms against nice 0, and nice 5
 * within noise of 10 beside an analyst (docs/operations.md); nothing an operator would tune per machine.
 */
export const ENGINE_THREAD_NICE = 10;

/** How often new engine threads are looked for. */
export const RENICE_EVERY_MS = 5000;
