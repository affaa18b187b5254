// Creating the views topic. It must exist, with its partitions led, before ClickHouse's Kafka engine subscribes:
// partitions appearing under a live consumer each trigger a rebalance, and a block written but not yet committed
// when one happens is read again (counted twice). Seen in CI on a loaded machine: 8% duplicates.
import { Kafka, logLevel } from 'kafkajs';
import { AppConfig } from '../config/app-config';

/** Creates the topic if missing; resolves to true if it was created. Throws if the broker cannot be reached. */
export async function ensureTopic(kafka: AppConfig['kafka']): Promise<boolean> {
  const admin = new Kafka({ clientId: 'viewrank-admin', brokers: kafka.brokers, logLevel: logLevel.NOTHING, retry: { retries: 3 } }).admin();
  await admin.connect();
  try {
    return await admin.createTopics({ topics: [{ topic: kafka.topic, numPartitions: kafka.topicPartitions }], waitForLeaders: true });
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Messages on the topic not yet committed by the consumer group: 0 when ClickHouse has consumed everything produced.
 * Throws if the broker cannot be reached.
 */
export async function consumerLag(brokers: string[], topic: string, group: string): Promise<number> {
  const admin = new Kafka({ clientId: 'viewrank-admin', brokers, logLevel: logLevel.NOTHING, retry: { retries: 1 } }).admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    const byPartition = new Map(committed.partitions.map((p) => [p.partition, Number(p.offset)]));
    return ends.reduce((lag, end) => lag + Number(end.high) - Math.max(0, byPartition.get(end.partition) ?? 0), 0);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
