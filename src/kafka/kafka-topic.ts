// Creating the views topic. It must exist, with its partitions led, before ClickHouse's Kafka engine subscribes:
// partitions appearing under a live consumer each trigger a rebalance, and a block written but not yet committed
// when one happens is read again (counted twice). Seen in CI on a loaded machine: 8% duplicates.
import { Admin, ConfigResourceTypes, ITopicConfig, Kafka, logLevel } from 'kafkajs';
import { AppConfig } from '../config/app-config';

/**
 * How the views topic is created. The broker stamps each message with its own clock (LogAppendTime): last-hour
 * counts a view as on time by when it reached Kafka, whatever the producer's clock says (src/top-k/last-hour.ts).
 * Its copies and min.insync.replicas are the brokers' defaults (default.replication.factor, min.insync.replicas; the
 * replication factor sent as -1, KIP-464), as for any topic of that Kafka: the operator of the brokers decides them
 * once for all topics (they were KAFKA_TOPIC_REPLICATION_FACTOR and KAFKA_TOPIC_MIN_INSYNC_REPLICAS).
 */
export function viewsTopic(topic: string, numPartitions: number): ITopicConfig {
  return { topic, numPartitions, replicationFactor: -1, configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }] };
}

/** Creates the topic if missing; resolves to true if it was created. Throws if the broker cannot be reached. */
export function ensureTopic(kafka: AppConfig['kafka']): Promise<boolean> {
  return withAdmin(kafka.brokers, 3, (admin) =>
    admin.createTopics({
      topics: [viewsTopic(kafka.topic, kafka.topicPartitions)],
      waitForLeaders: true,
    }),
  );
}

/** The topic's message.timestamp.type: LogAppendTime when viewrank created it; CreateTime is Kafka's default. */
export function topicTimestampType(brokers: string[], topic: string): Promise<string | undefined> {
  return withAdmin(brokers, 1, async (admin) => {
    const { resources } = await admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['message.timestamp.type'] }],
      includeSynonyms: false,
    });
    return resources[0]?.configEntries.find((e) => e.configName === 'message.timestamp.type')?.configValue;
  });
}

/** Offsets per partition of one topic. */
export type PartitionOffsets = Map<number, number>;

/** The larger offset of each partition. */
export function newestOffsets(a: PartitionOffsets, b: PartitionOffsets): PartitionOffsets {
  const merged = new Map(a);
  for (const [partition, offset] of b) merged.set(partition, Math.max(offset, merged.get(partition) ?? 0));
  return merged;
}

/** What the ingestion watermark asks Kafka, on one admin connection. */
export interface AppendedOffsetsReader {
  /** Per partition, the first offset appended after `instantMs` (the end offset if there is none yet). */
  firstAfter(instantMs: number): Promise<PartitionOffsets>;
  /** Per partition, the offset the consumer group committed (only partitions with a commit). */
  committed(): Promise<PartitionOffsets>;
}

/** The watermark's questions about the views topic, asked on a connected admin client. */
export function appendedOffsetsReader(admin: Admin, kafka: AppConfig['kafka']): AppendedOffsetsReader {
  return {
    // Kafka answers "the first offset whose timestamp is at least t", so ask for t + 1 ms.
    firstAfter: async (instantMs) =>
      new Map((await admin.fetchTopicOffsetsByTimestamp(kafka.topic, instantMs + 1)).map((p) => [p.partition, Number(p.offset)])),
    committed: async () => {
      const [committed] = await admin.fetchOffsets({ groupId: kafka.group, topics: [kafka.topic] });
      return new Map((committed?.partitions ?? []).filter((p) => Number(p.offset) >= 0).map((p) => [p.partition, Number(p.offset)]));
    },
  };
}

/**
 * An admin client kept connected between uses, for a caller that asks often: connecting, and disconnecting after,
 * took 300–450 ms of a refresh that asks once every few seconds (measured under 20k views/s). After a failure it is
 * dropped, so the next use connects afresh (to a broker that restarted, say).
 */
export class KeptAdmin {
  private admin?: Promise<Admin>;

  constructor(
    private readonly brokers: string[],
    private readonly retries: number,
  ) {}

  async use<T>(work: (admin: Admin) => Promise<T>): Promise<T> {
    const pending = (this.admin ??= connectAdmin(this.brokers, this.retries));
    try {
      return await work(await pending);
    } catch (error) {
      if (this.admin === pending) await this.drop();
      throw error;
    }
  }

  /** Disconnects; a later use connects again. */
  async drop(): Promise<void> {
    const pending = this.admin;
    this.admin = undefined;
    const admin = await pending?.catch(() => undefined);
    await admin?.disconnect().catch(() => undefined);
  }
}

async function connectAdmin(brokers: string[], retries: number): Promise<Admin> {
  const admin = new Kafka({ clientId: 'viewrank-admin', brokers, logLevel: logLevel.NOTHING, retry: { retries } }).admin();
  await admin.connect();
  return admin;
}

/**
 * Messages on the topic neither committed by the consumer group nor in `ingested` (per partition, the offset after the
 * newest message ClickHouse wrote): 0 when ClickHouse has consumed everything produced. Throws if the broker cannot be
 * reached.
 */
export function consumerLag(brokers: string[], topic: string, group: string, ingested: PartitionOffsets = new Map()): Promise<number> {
  return withAdmin(brokers, 1, async (admin) => {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    const consumed = newestOffsets(new Map(committed.partitions.map((p) => [p.partition, Number(p.offset)])), ingested);
    return ends.reduce((lag, end) => lag + Math.max(0, Number(end.high) - Math.max(0, consumed.get(end.partition) ?? 0)), 0);
  });
}

/** Runs `work` with a connected Kafka admin client, disconnected afterwards whatever happened. */
export async function withAdmin<T>(brokers: string[], retries: number, work: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = await connectAdmin(brokers, retries);
  try {
    return await work(admin);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Hands the consumer group over to a new Kafka engine table (src/clickhouse/ingest-queue.ts): moves the group's
 * committed offsets up to `ingested` (per partition, the offset after the newest message ClickHouse wrote) where they
 * lag, since the new table starts from them. They lag when the table before kept its offsets in Keeper: it commits
 * them to the group too, but best effort (after a switch, a member left behind by the at-least-once table makes those
 * commits fail with "Unknown member" until the broker expires it); Keeper has the truth, and `ingested` agrees with it
 * after a clean stop. Returns the partitions moved. Throws if offsets must move and the group keeps a member for
 * `timeoutMs`, or if the broker cannot be reached.
 */
export async function handOverGroup(kafka: AppConfig['kafka'], ingested: PartitionOffsets, timeoutMs: number): Promise<PartitionOffsets> {
  if (ingested.size === 0) return new Map(); // nothing written yet: nothing the group could lag behind
  // More retries than elsewhere: a broker that just started answers "not the coordinator" or "coordinator loading"
  // for its groups for a few seconds, and the service cannot start ingesting before this has run.
  return withAdmin(kafka.brokers, 10, async (admin) => {
    const [committed] = await admin.fetchOffsets({ groupId: kafka.group, topics: [kafka.topic] });
    const current = new Map((committed?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    const moved = new Map([...ingested].filter(([partition, offset]) => (current.get(partition) ?? -1) < offset));
    if (moved.size === 0) return moved;
    // Kafka sets a group's offsets only while it has no member.
    for (const deadline = Date.now() + timeoutMs; ; await new Promise((r) => setTimeout(r, 250))) {
      const state = (await admin.describeGroups([kafka.group])).groups[0]?.state ?? 'Dead';
      if (state === 'Empty' || state === 'Dead') break;
      if (Date.now() > deadline)
        throw new Error(`cannot move the offsets of consumer group ${kafka.group}: it still has members (${state}) after ${timeoutMs} ms`);
    }
    await admin.setOffsets({
      groupId: kafka.group,
      topic: kafka.topic,
      partitions: [...moved].map(([partition, offset]) => ({ partition, offset: String(offset) })),
    });
    return moved;
  });
}
