// CPU time and memory of a process and its descendants, read from /proc (Linux): how the benchmarks tell what
// each part of a run (service, broker, load generator, peers) cost.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux that Node supports

function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from the 3rd on; the name may hold spaces
  } catch {
    return undefined; // the process ended
  }
}

/** The process and every descendant still running. */
export function processTree(root: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    if (!fields) continue;
    const ppid = Number(fields[1]);
    parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
  }
  const tree: number[] = [];
  for (const queue = [root]; queue.length > 0;) {
    const pid = queue.pop()!;
    tree.push(pid);
    queue.push(...(parents.get(pid) ?? []));
  }
  return tree;
}

/** User + system CPU seconds used so far by a process tree (threads included, ended children not). */
export function cpuSeconds(root: number): number {
  let ticks = 0;
  for (const pid of processTree(root)) {
    const fields = statFields(pid);
    if (fields) ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
  }
  return ticks / TICKS_PER_SECOND;
}

/**
 * Memory of a process tree in MiB: now, as proportional set size (Pss: pages shared between its processes, such as
 * PostgreSQL's shared buffers, are counted once), and the sum of each process's peak resident size (VmHWM).
 */
export function memoryMiB(root: number): { pss: number; peak: number } {
  let pss = 0;
  let peak = 0;
  for (const pid of processTree(root)) {
    try {
      pss += Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
      peak += Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // ended
    }
  }
  return { pss: Math.round(pss / 1024), peak: Math.round(peak / 1024) };
}

/** Measures the CPU a set of process trees uses between start() and stop(), as cores busy on average. */
export class CpuMeter {
  private started = new Map<string, number>();
  private startedAt = 0;

  constructor(private readonly pids: Record<string, number | undefined>) {}

  start(): this {
    this.startedAt = performance.now();
    for (const [name, pid] of Object.entries(this.pids)) if (pid) this.started.set(name, cpuSeconds(pid));
    return this;
  }

  /** Cores used per process tree, e.g. { service: 1.4, broker: 0.3 }. */
  stop(): Record<string, number> {
    const seconds = (performance.now() - this.startedAt) / 1000;
    return Object.fromEntries(
      [...this.started].map(([name, before]) => [name, +((cpuSeconds(this.pids[name]!) - before) / seconds).toFixed(2)]),
    );
  }
}
