import { Module } from '@nestjs/common';
import { IngestService } from './ingest.service';

/** Kafka → ClickHouse ingestion: topic set-up and ingestion status. */
@Module({ providers: [IngestService], exports: [IngestService] })
export class IngestModule {}
