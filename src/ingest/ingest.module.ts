import { Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { IngestMonitor } from './ingest-monitor.service';
import { KafkaModule } from '../kafka/kafka.module';
import { HttpIngestStats } from './http-ingest.stats';
import { IngestSetup } from './ingest-setup.service';
import { ViewsController } from './views.controller';
import { DeadLettersController } from './dead-letters.controller';
import { DeadLettersRepository } from './dead-letters.repository';

/**
 * Kafka → ClickHouse ingestion: the topic and the Kafka engine table (IngestSetup), ingestion status and dead
 * letters; and POST /views, HTTP ingest onto the same topic (bearer tokens, rate limit per client).
 */
/**
 * The window of POST /views's rate limit (was INGEST_RATE_WINDOW_MS): a minute, so INGEST_RATE_LIMIT reads as requests
 * per minute; only the limit is an operator's choice.
 */
export const INGEST_RATE_WINDOW_MS = 60_000;

@Module({
  imports: [
    KafkaModule,
    ThrottlerModule.forRootAsync({
      inject: [APP_CONFIG],
      // Named 'default' so the 429 carries a plain Retry-After header (other names get a suffixed header).
      useFactory: (config: AppConfig) => ({
        throttlers: [{ name: 'default', ttl: INGEST_RATE_WINDOW_MS, limit: config.httpIngest.rateLimit }],
      }),
    }),
  ],
  controllers: [ViewsController, DeadLettersController],
  providers: [IngestSetup, IngestMonitor, DeadLettersRepository, HttpIngestStats],
  exports: [IngestMonitor, HttpIngestStats],
})
export class IngestModule {}
