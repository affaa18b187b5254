import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ClickHouseService } from '../clickhouse/clickhouse.service';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ensureTopic, handOverGroup, topicTimestampType } from '../kafka/kafka-topic';
import { ensureClusterQueue, ensureQueue, QueuePlan } from '../clickhouse/ingest-queue';

/**
 * The one bootstrap step of ingestion, after the schema migrations (ClickHouseModule, a global module, initialises
 * first): creates the views topic, then the Kafka engine table that reads it (ingest-queue.ts). The topic must exist
 * with its partitions led before that table subscribes (src/kafka/kafka-topic.ts says why). If Kafka cannot be
 * reached, the service still starts, and the topic is created in the background as soon as it can be.
 */
@Injectable()
export class IngestSetup implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(IngestSetup.name);
  private retry?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly clickhouse: ClickHouseService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    const { topic, brokers } = this.config.kafka;
    await this.createTopic();
    // A topic created elsewhere keeps the producers' clocks: last-hour then judges lateness by them (docs/design.md, the sliding last hour).
    const timestampType = await topicTimestampType(brokers, topic).catch(() => undefined);
    if (timestampType && timestampType !== 'LogAppendTime') {
      this.logger.warn(
        `topic ${topic} has message.timestamp.type=${timestampType}: last-hour judges lateness by the producers' clocks, not the broker's`,
      );
    }
    // Last: ingestion starts when the queue's view exists.
    const queue = await this.ensureQueue();
    const where = queue.keeperPath ? `, offsets in Keeper at ${queue.keeperPath}` : ', offsets in the consumer group';
    this.logger.log(
      `ingestion ${queue.guarantee}${where}: ${
        queue.action === 'keep'
          ? `queue in place${queue.postponed ? ` (${queue.postponed})` : ''}`
          : queue.action === 'view'
            ? `view created (${queue.reason})`
            : `queue created (${queue.reason}${queue.settledInMs !== undefined ? `; the table it replaces settled in ${queue.settledInMs} ms` : ''})`
      }`,
    );
  }

  private ensureQueue(): Promise<QueuePlan> {
    const onWait = (m: string) => this.logger.warn(m);
    if (this.config.clickhouse.cluster) return ensureClusterQueue(this.clickhouse, this.config, { onWait });
    return ensureQueue(
      this.clickhouse,
      this.config,
      async (ingested) => {
        // Long enough for the broker to expire a member that left without saying so (clickhouse/embedded-config.xml).
        const moved = await handOverGroup(this.config.kafka, ingested, 60_000);
        if (moved.size > 0)
          this.logger.warn(
            `consumer group ${this.config.kafka.group}: committed offsets moved up to what ClickHouse wrote: ${JSON.stringify(Object.fromEntries(moved))}`,
          );
      },
      undefined,
      { onWait },
    );
  }

  beforeApplicationShutdown(): void {
    this.stopped = true;
    clearTimeout(this.retry);
  }

  /** Creates the topic if it is missing; while the broker is unreachable, tries again every 10 s in the background. */
  private async createTopic(): Promise<void> {
    const { brokers, topic } = this.config.kafka;
    try {
      this.logger.log((await ensureTopic(this.config.kafka)) ? `created topic ${topic}` : `topic ${topic} exists`);
    } catch (error) {
      this.logger.warn(
        `cannot reach Kafka at ${brokers.join(',')} to create topic ${topic} (${(error as Error).message}); retrying in 10 s`,
      );
      if (!this.stopped) {
        this.retry = setTimeout(() => void this.createTopic(), 10_000);
        this.retry.unref();
      }
    }
  }
}
