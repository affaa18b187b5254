// Creating the views topic. It must exist, with its partitions led, before ClickHouse's Kafka engine subscribes:
// partitions appearing under a live consumer each trigger a rebalance, and a block written but not yet committed
// when one happens is read again (counted twice). Seen in CI on a loaded machine: 8% duplicates.
import { Admin, Kafka, logLevel } from 'kafkajs';
import { AppConfig } from '../config/app-config';

/** Creates the topic if missing; resolves to true if it was created. Throws if the broker cannot be reached. */
export function ensureTopic(kafka: AppConfig['kafka']): Promise<boolean> {
  return withAdmin(kafka.brokers, 3, (admin) =>
    admin.createTopics({ topics: [{ topic: kafka.topic, numPartitions: kafka.topicPartitions }], waitForLeaders: true }),
  );
}

/**
 * Messages on the topic not yet committed by the consumer group: 0 when ClickHouse has consumed everything produced.
 * Throws if the broker cannot be reached.
 */
export function consumerLag(brokers: string[], topic: string, group: string): Promise<number> {
  return withAdmin(brokers, 1, async (admin) => {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    const byPartition = new Map(committed.partitions.map((p) => [p.partition, Number(p.offset)]));
    return ends.reduce((lag, end) => lag + Number(end.high) - Math.max(0, byPartition.get(end.partition) ?? 0), 0);
  });
}

/** Runs `work` with a connected Kafka admin client, disconnected afterwards whatever happened. */
export async function withAdmin<T>(brokers: string[], retries: number, work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new Kafka({ clientId: 'viewrank-admin', brokers, logLevel: logLevel.NOTHING, retry: { retries } }).admin();
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
