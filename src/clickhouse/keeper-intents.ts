// Which partitions of the Kafka engine's Keeper path hold an intent: a block recorded before it was written (perhaps
// only in part) whose offset was not saved, so that the engine replays it. Read from ZooKeeper itself: the embedded
// engine has no system.zookeeper, and system.kafka_consumers cannot tell (a consumer shows no offset for a partition
// until it has read a message there, -1001 after a restart with nothing new: measured 2026-12-07).
// node-zookeeper-client: a pure JavaScript client (no native build), the one most used on npm.
import { createClient, Exception } from 'node-zookeeper-client';
import { AppConfig } from '../config/app-config';
import { ZOOKEEPER_SESSION_TIMEOUT_MS } from './clickhouse.client';

/** The ensemble as ZooKeeper clients take it, and as messages name it: `host:port,host:port`. */
export function zookeeperConnectString(zookeeper: AppConfig['zookeeper']): string {
  return zookeeper.hosts.map((n) => `${n.host}:${n.port}`).join(',');
}

/**
 * The partitions of `topic` under `keeperPath` whose intent node exists. Throws when ZooKeeper cannot be reached
 * within `timeoutMs`.
 */
export async function pendingIntents(
  zookeeper: AppConfig['zookeeper'],
  keeperPath: string,
  topic: string,
  timeoutMs = 10_000,
): Promise<number[]> {
  const client = createClient(zookeeperConnectString(zookeeper), { sessionTimeout: ZOOKEEPER_SESSION_TIMEOUT_MS, retries: 1 });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`ZooKeeper not reached within ${timeoutMs} ms`)), timeoutMs);
      client.once('connected', () => {
        clearTimeout(timer);
        resolve();
      });
      client.connect();
    });
    // The engine keeps a partition's intent in <keeper_path>/topics/<topic>/partitions/<n>/intention.
    const base = `${keeperPath}/topics/${topic}/partitions`;
    const partitions = await new Promise<string[]>((resolve, reject) =>
      client.getChildren(base, (error, children) =>
        error && !(error instanceof Exception && error.getCode() === Exception.NO_NODE) ? reject(error) : resolve(error ? [] : children),
      ),
    );
    const pending: number[] = [];
    for (const partition of partitions) {
      const stat = await new Promise<unknown>((resolve, reject) =>
        client.exists(`${base}/${partition}/intention`, (error, found) => (error ? reject(error) : resolve(found))),
      );
      if (stat) pending.push(Number(partition));
    }
    return pending.sort((a, b) => a - b);
  } finally {
    client.close();
  }
}
