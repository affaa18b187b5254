// Producing test streams into the real broker.
import { Kafka, logLevel } from 'kafkajs';
import { consumerLag as brokerConsumerLag, withAdmin } from '../../src/ingest/kafka-topic';

export const TEST_BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

export async function produce(topic: string, values: string[], partitions = 4): Promise<void> {
  await withAdmin(TEST_BROKERS, 5, (admin) => admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true }));
  const kafka = new Kafka({ clientId: 'viewrank-test', brokers: TEST_BROKERS, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let i = 0; i < values.length; i += 500) {
      await producer.send({ topic, acks: -1, messages: values.slice(i, i + 500).map((value) => ({ value })) });
    }
  } finally {
    await producer.disconnect();
  }
}

/** A name no other test run uses, for databases, topics and consumer groups. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** Messages on the topic not yet committed by the consumer group (0 when everything produced was consumed). */
export function consumerLag(topic: string, group: string): Promise<number> {
  return brokerConsumerLag(TEST_BROKERS, topic, group);
}

/** The same, on another broker than the shared one. */
export function consumerLagOn(brokers: string, topic: string, group: string): Promise<number> {
  return brokerConsumerLag(brokers.split(','), topic, group);
}

/** Messages on a topic: the sum of every partition's end offset (nothing is deleted during a test). */
export function topicMessages(brokers: string, topic: string): Promise<number> {
  return withAdmin(brokers.split(','), 5, async (admin) => (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0));
}
