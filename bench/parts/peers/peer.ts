// What every peer of the benchmark offers (a server started here, fed views, asked its top K), and the clean-up that
// never leaves one of their servers running.
import { ChildProcess } from 'node:child_process';
import { RankedVideo } from '../../../src/top-k/ranking';

export const HOUR = 3_600_000;

export interface Peer {
  name: string;
  /** Kafka partitions fed at once: Redis takes overlapping pipelines; PostgreSQL upserts from one connection, in
   *  order (concurrent upserts of the same hot videos would deadlock). */
  concurrency: number;
  pid: number;
  apply(views: { id: string; ts: number }[]): Promise<void>;
  /** Run once everything is in, before the reads. */
  settle(): Promise<void>;
  top(k: number): Promise<RankedVideo[]>;
  dataMiB(): Promise<number>;
  stop(): Promise<void>;
}

// Servers still running if the suite ends early (an error, Ctrl-C): stopped on the way out, never left behind.
export const running = new Map<ChildProcess, () => void>();
process.once('exit', () => {
  for (const stop of running.values()) {
    try {
      stop();
    } catch {
      // already gone
    }
  }
});

/** Stops a server and waits for it to exit. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}
