// The ingestion watermark of the sliding hour: the newest instant by which ClickHouse holds every message that Kafka
// had appended. A minute of last-hour is frozen only once this reaches its end plus the late tolerance.
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { AppendedOffsetsReader, appendedOffsetsReader, KeptAdmin, newestOffsets, PartitionOffsets } from '../kafka/kafka-topic';
import { newestCovered } from './last-hour';
import { LastHourRepository } from './last-hour.repository';

/** ClickHouse holds everything appended by an instant when, in every partition, it has written up to Kafka's first offset after it. */
export function coversAll(firstAfter: PartitionOffsets, written: PartitionOffsets): boolean {
  return [...firstAfter].every(([partition, offset]) => (written.get(partition) ?? 0) >= offset);
}

/** Kafka's side of the watermark (a model of a topic replaces it in the property test). */
export abstract class AppendedOffsets {
  abstract read<T>(work: (reader: AppendedOffsetsReader) => Promise<T>): Promise<T>;
}

/** Kafka's side, on one admin connection kept between refreshes (KeptAdmin). */
@Injectable()
export class KafkaAppendedOffsets extends AppendedOffsets implements OnApplicationShutdown {
  private readonly admin: KeptAdmin;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    super();
    this.admin = new KeptAdmin(config.kafka.brokers, 1);
  }

  read<T>(work: (reader: AppendedOffsetsReader) => Promise<T>): Promise<T> {
    return this.admin.use((admin) => work(appendedOffsetsReader(admin, this.config.kafka)));
  }

  onApplicationShutdown(): Promise<void> {
    return this.admin.drop();
  }
}

@Injectable()
export class IngestWatermark {
  private readonly logger = new Logger(IngestWatermark.name);
  /** Why Kafka could not be asked at the last attempt (cleared by a success); reported once per new reason. */
  lastError?: string;

  constructor(
    private readonly repository: LastHourRepository,
    private readonly kafka: AppendedOffsets,
  ) {}

  /**
   * The newest of `instants` (ascending) by which ClickHouse holds every message Kafka appended, or -Infinity.
   * What ClickHouse has written is its own record (ingested_offsets), or the consumer group's commit, which the
   * Kafka engine makes only after a block is written everywhere. If Kafka cannot be asked, nothing new closes: the
   * open minutes are read live meanwhile, so the answer stays exact.
   */
  async newestIngested(instants: readonly number[]): Promise<number> {
    if (instants.length === 0) return -Infinity;
    try {
      const found = await this.kafka.read(async (reader) => {
        const written = newestOffsets(await this.repository.ingestedOffsets(), await reader.committed());
        return newestCovered(instants, async (instant) => coversAll(await reader.firstAfter(instant), written));
      });
      this.lastError = undefined;
      return found;
    } catch (error) {
      const reason = (error as Error).message.split('\n')[0];
      if (reason !== this.lastError) this.logger.warn(`cannot read Kafka's offsets, no last-hour minute closes meanwhile: ${reason}`);
      this.lastError = reason;
      return -Infinity;
    }
  }
}
