import { Module } from '@nestjs/common';
import { AppendedOffsets, IngestWatermark, KafkaAppendedOffsets } from './ingest-watermark';
import { PrecomputeService } from './precompute.service';
import { LastHourRepository } from './last-hour.repository';
import { LastHourService } from './last-hour.service';
import { SnapshotRepository } from './snapshot.repository';
import { TopKController } from './top-k.controller';
import { TopKRepository } from './top-k.repository';

/** Precomputes the top-K of every window into an in-memory cache, and serves it: GET /views/top-k. */
@Module({
  controllers: [TopKController],
  providers: [
    TopKRepository,
    LastHourRepository,
    { provide: AppendedOffsets, useClass: KafkaAppendedOffsets },
    IngestWatermark,
    LastHourService,
    SnapshotRepository,
    PrecomputeService,
  ],
  exports: [PrecomputeService, LastHourService, IngestWatermark],
})
export class TopKModule {}
