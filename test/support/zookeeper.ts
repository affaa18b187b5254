// A ZooKeeper of the test's own, on its own port and data directory (scripts/zookeeper.sh), that the test may stop
// and start: the shared one on 2181 stays up for everything else.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export class DedicatedZooKeeper {
  constructor(readonly port: number) {}

  get hosts(): string {
    return `127.0.0.1:${this.port}`;
  }

  start(): void {
    this.script('start');
  }

  stop(): void {
    this.script('stop');
  }

  private script(command: 'start' | 'stop'): void {
    const run = spawnSync('bash', [join(__dirname, '../../scripts/zookeeper.sh'), command], {
      env: { ...process.env, ZOOKEEPER_PORT: String(this.port), ZOOKEEPER_HEAP: '128m' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (run.status !== 0) throw new Error(`zookeeper.sh ${command} on port ${this.port} failed:\n${run.stdout}${run.stderr}`);
  }
}

/** ZooKeeper's command-line client on the shared ZooKeeper (scripts/zookeeper.sh cli); its output without the client's own chatter. */
export function zookeeperCli(...args: string[]): string {
  const run = spawnSync('bash', [join(__dirname, '../../scripts/zookeeper.sh'), 'cli', ...args], { encoding: 'utf8', timeout: 60_000 });
  if (run.status !== 0) throw new Error(`zookeeper cli ${args.join(' ')} failed:\n${run.stdout}${run.stderr}`);
  return run.stdout
    .split('\n')
    .filter((line) => line.trim() !== '' && !/^(\[main\]|Connecting to|WATCHER|WatchedEvent)/.test(line))
    .join('\n');
}

/**
 * The exactly-once queue's partition 0 in ZooKeeper (scripts/zookeeper.sh cli), for a database whose service has
 * committed a block there: its path, and `crash()`, which leaves what a crash between writing a block and saving its
 * offset leaves: the offset before the block (0), and the block's size as the engine's intent.
 */
export function queuePartition(database: string): { path: string; committed(): string; crash(blockMessages: number): void } {
  const path = zookeeperCli('ls', '-R', `/viewrank/${database}`)
    .split('\n')
    .find((node) => /\/partitions\/0$/.test(node));
  if (path === undefined) throw new Error(`no partition 0 in ZooKeeper under /viewrank/${database}`);
  return {
    path,
    committed: () => zookeeperCli('get', `${path}/committed`).trim(),
    crash(blockMessages: number) {
      zookeeperCli('set', `${path}/committed`, '0');
      zookeeperCli('create', `${path}/intention`, String(blockMessages));
    },
  };
}
