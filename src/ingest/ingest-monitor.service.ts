import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { ClickHouseService } from '../clickhouse/clickhouse.service';
import { ingestedOffsets } from '../clickhouse/ingested-offsets';
import { sql } from '../clickhouse/sql-query';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { consumerLag } from '../kafka/kafka-topic';

export interface KafkaConsumerState {
  consumer_id: string;
  partitions: number[];
  offsets: string[];
  num_messages_read: string;
  /** Blocks written and committed (one commit a block). */
  num_commits: string;
  last_poll_time: string;
  last_commit_time: string;
  exception_texts: string[];
}

const KAFKA_CONSUMERS = sql('kafka_consumers', { keeper_errors: 'UInt8' }).rows<KafkaConsumerState>();
/** The same, of every node of a cluster (CLICKHOUSE_CLUSTER). */
const KAFKA_CONSUMERS_CLUSTER = sql('kafka_consumers_cluster', { keeper_errors: 'UInt8', cluster: 'String' }).rows<KafkaConsumerState>();

/** The newest reading of the consumer group's lag, or why it could not be read. */
export interface LagReading {
  lag?: number;
  error?: string;
  at: Date;
}

/** Views counted and dead letters kept since the database was created (UInt64: strings in JSON). */
const INGEST_STATUS = sql('ingest_status', {}).rows<{ views_counted: string; dead_letters: string }>();

/** Views counted and dead letters kept since the database was created. */
export interface IngestTotals {
  viewsCounted: number;
  deadLetters: number;
}

/**
 * Ingestion itself runs inside ClickHouse (Kafka engine → materialized views), set up by IngestSetup. This service
 * reports what it has achieved: views counted, dead letters, consumer lag and the consumer's errors.
 */
@Injectable()
export class IngestMonitor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(IngestMonitor.name);
  private watch?: NodeJS.Timeout;
  private poll?: NodeJS.Timeout;
  private polling?: Promise<void>;
  /** The look at the consumers' errors in progress, if any (it queries the engine too). */
  private watching?: Promise<string[]>;
  /** Newest consumer lag reading, for readiness and /metrics (undefined before the first). */
  lag?: LagReading;
  /** Newest totals read from ClickHouse, for /metrics (undefined before the first reading). */
  totalsRead?: IngestTotals;
  private stopped = false;
  /**
   * Messages read and blocks committed by the Kafka engine's consumers since they were created (this process, or the
   * queue table's last creation), as of the last look at them (every 30 s): messages per block is what a replay after
   * a crash must read again within one poll's wait (docs/delivery-guarantees.md).
   */
  engineTotals?: { messagesRead: number; blocks: number };
  /** Consumer exceptions already logged (consumer id and text), so each is logged once. */
  readonly reported = new Set<string>();

  constructor(
    private readonly clickhouse: ClickHouseService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.watch = setInterval(() => (this.watching = this.reportConsumerErrors()), 30_000);
    this.watch.unref();
    this.schedulePoll(0);
  }

  /** Runs before ClickHouse closes: no poll may still be using it then. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.watch);
    clearTimeout(this.poll);
    await Promise.all([this.polling, this.watching]);
  }

  /** Reads ingestion totals and consumer lag (kept for readiness and /metrics), off the request path; each failure only logs. */
  async pollOnce(): Promise<void> {
    const { brokers, topic, group } = this.config.kafka;
    try {
      // What ClickHouse wrote counts as consumed even where the group's commit lags: exactly once, the engine keeps
      // its offsets in Keeper and commits them to the group best effort (docs/delivery-guarantees.md).
      const ingested = await ingestedOffsets(this.clickhouse, this.clickhouse.database);
      this.lag = { lag: await consumerLag(brokers, topic, group, ingested), at: new Date() };
    } catch (error) {
      this.lag = { error: `cannot read consumer lag from Kafka at ${brokers.join(',')}: ${(error as Error).message}`, at: new Date() };
    }
    try {
      this.totalsRead = await this.totals();
    } catch (error) {
      this.logger.warn(`cannot read ingestion totals: ${(error as Error).message}`);
    }
  }

  private schedulePoll(delayMs: number): void {
    this.poll = setTimeout(async () => {
      this.polling = this.pollOnce();
      await this.polling;
      if (!this.stopped) this.schedulePoll(this.config.ingestPollIntervalMs);
    }, delayMs);
    this.poll.unref();
  }

  /**
   * The Kafka engine retries a block it cannot write and keeps the error in system.kafka_consumers (or, exactly once,
   * in system.errors), where nobody looks: log each new one, so a stalled ingestion shows in the service's log.
   */
  async reportConsumerErrors(): Promise<string[]> {
    const fresh: string[] = [];
    try {
      const consumers = await this.consumers();
      this.engineTotals = {
        messagesRead: consumers.reduce((sum, c) => sum + Number(c.num_messages_read), 0),
        blocks: consumers.reduce((sum, c) => sum + Number(c.num_commits), 0),
      };
      for (const consumer of consumers) {
        for (const text of consumer.exception_texts) {
          const key = `${consumer.consumer_id}:${text}`;
          if (this.reported.has(key)) continue;
          this.reported.add(key);
          fresh.push(text);
          this.logger.error(`Kafka engine consumer ${consumer.consumer_id} failed: ${text.split('\n')[0]}`);
        }
      }
    } catch (error) {
      this.logger.warn(`cannot read Kafka consumer state: ${(error as Error).message}`);
    }
    return fresh;
  }

  /** Views counted and dead letters kept since the database was created (the small ingest_counts table), read now. */
  async totals(): Promise<IngestTotals> {
    const [counts] = await this.clickhouse.rows(INGEST_STATUS, {});
    return { viewsCounted: Number(counts.views_counted), deadLetters: Number(counts.dead_letters) };
  }

  /** The Kafka engine consumers of the queue table, from system.kafka_consumers (cheap: no table is scanned). */
  consumers(): Promise<KafkaConsumerState[]> {
    const keeper_errors = this.config.kafka.guarantee === 'exactly-once' ? 1 : 0;
    const { cluster } = this.config.clickhouse;
    if (cluster) return this.clickhouse.rows(KAFKA_CONSUMERS_CLUSTER, { keeper_errors, cluster });
    return this.clickhouse.rows(KAFKA_CONSUMERS, { keeper_errors });
  }
}
