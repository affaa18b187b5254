// Producing test streams into the real broker.
import { Kafka, logLevel } from 'kafkajs';
import { consumerLag as brokerConsumerLag, viewsTopic, withAdmin } from '../../src/kafka/kafka-topic';

export const TEST_BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

export async function produce(topic: string, values: (string | Buffer)[], partitions = 4, perSend = 500): Promise<void> {
  await withAdmin(TEST_BROKERS, 5, (admin) => admin.createTopics({ topics: [viewsTopic(topic, partitions)], waitForLeaders: true }));
  const kafka = new Kafka({ clientId: 'viewrank-test', brokers: TEST_BROKERS, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    for (let i = 0; i < values.length; i += perSend) {
      await producer.send({ topic, acks: -1, messages: values.slice(i, i + perSend).map((value) => ({ value })) });
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

/** Messages on a topic: the sum of every partition's end offset (nothing is deleted during a test). */
export function topicMessages(brokers: string, topic: string): Promise<number> {
  return withAdmin(brokers.split(','), 5, async (admin) =>
    (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0),
  );
}

/** One message read back from a topic, with the broker's timestamp (the append time on a LogAppendTime topic). */
export interface TopicMessage {
  partition: number;
  offset: number;
  appendedAt: number;
  value: string;
}

/** Every message on the topic now (up to each partition's end offset at the call), read back with a throwaway group. */
export async function readTopic(brokers: string, topic: string): Promise<TopicMessage[]> {
  const ends = await withAdmin(brokers.split(','), 5, (admin) => admin.fetchTopicOffsets(topic));
  const remaining = new Map(ends.filter((p) => Number(p.high) > Number(p.low)).map((p) => [p.partition, Number(p.high)]));
  const messages: TopicMessage[] = [];
  if (remaining.size === 0) return messages;
  const kafka = new Kafka({ clientId: 'viewrank-test-reader', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: uniqueName('reader'), sessionTimeout: 10_000 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachBatch: async ({ batch }) => {
            const end = remaining.get(batch.partition);
            for (const m of batch.messages) {
              if (end === undefined || Number(m.offset) >= end) continue;
              messages.push({
                partition: batch.partition,
                offset: Number(m.offset),
                appendedAt: Number(m.timestamp),
                value: m.value?.toString() ?? '',
              });
            }
            if (end !== undefined && Number(batch.lastOffset()) + 1 >= end) remaining.delete(batch.partition);
            if (remaining.size === 0) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

/** The views of messages read back (JSON lines of video_id and ts in epoch ms or RFC 3339), each with its append time. */
export function viewsIn(messages: TopicMessage[]): { videoId: string; t: number; appendedAt: number }[] {
  return messages.flatMap((m) =>
    m.value
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        const row = JSON.parse(line) as { video_id: string; ts: number | string };
        return { videoId: row.video_id, t: typeof row.ts === 'number' ? row.ts : Date.parse(row.ts), appendedAt: m.appendedAt };
      }),
  );
}
