import { Global, Inject, Logger, Module, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ensureTopic, handOverGroup, topicTimestampType } from '../ingest/kafka-topic';
import { ClickHouseService } from './clickhouse.service';
import { ensureQueue } from './ingest-queue';
import { runMigrations } from './migrations';

/** ClickHouse access for the whole service; applies the schema migrations and sets up the ingest queue before anything else runs. */
@Global()
@Module({ providers: [ClickHouseService], exports: [ClickHouseService] })
export class ClickHouseModule implements OnModuleInit {
  private readonly logger = new Logger(ClickHouseModule.name);

  constructor(
    private readonly clickhouse: ClickHouseService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    // Before the migrations create the Kafka engine table (see kafka-topic.ts for why the order matters).
    const { topic, brokers } = this.config.kafka;
    await ensureTopic(this.config.kafka).then(
      (created) => this.logger.log(created ? `created topic ${topic}` : `topic ${topic} exists`),
      (error) => this.logger.warn(`cannot reach Kafka at ${brokers.join(',')} to create topic ${topic}: ${(error as Error).message}`),
    );
    // A topic created elsewhere keeps the producers' clocks: last-hour then judges lateness by them (README).
    const timestampType = await topicTimestampType(brokers, topic).catch(() => undefined);
    if (timestampType && timestampType !== 'LogAppendTime') {
      this.logger.warn(`topic ${topic} has message.timestamp.type=${timestampType}: last-hour judges lateness by the producers' clocks, not the broker's`);
    }
    const { applied, skipped } = await runMigrations(this.clickhouse, this.config);
    this.logger.log(`migrations: ${applied.length} applied${applied.length ? ` (${applied.join(', ')})` : ''}, ${skipped.length} already in place`);
    // Last: ingestion starts when the queue's view exists.
    const queue = await ensureQueue(this.clickhouse, this.config, async (ingested) => {
      // Long enough for the broker to expire a member that left without saying so (clickhouse/embedded-config.xml).
      const moved = await handOverGroup(this.config.kafka, ingested, 60_000);
      if (moved.size > 0) this.logger.warn(`consumer group ${this.config.kafka.group}: committed offsets moved up to what ClickHouse wrote: ${JSON.stringify(Object.fromEntries(moved))}`);
    });
    const where = queue.keeperPath ? `, offsets in Keeper at ${queue.keeperPath}` : ', offsets in the consumer group';
    this.logger.log(`ingestion ${queue.guarantee}${where}: ${queue.action === 'keep' ? 'queue in place' : `queue created (${queue.reason})`}`);
  }
}
