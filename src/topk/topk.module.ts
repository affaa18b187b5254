import { Module } from '@nestjs/common';
import { AppendedOffsets, IngestWatermark, KafkaAppendedOffsets } from './ingest-watermark';
import { PrecomputeService } from './precompute.service';
import { SlidingWindowRepository } from './sliding-window.repository';
import { SlidingWindowService } from './sliding-window.service';
import { SnapshotRepository } from './snapshot.repository';
import { TopKRepository } from './topk.repository';

/** Precomputes the top-K of every window into an in-memory cache. */
@Module({
  providers: [
    TopKRepository,
    SlidingWindowRepository,
    { provide: AppendedOffsets, useClass: KafkaAppendedOffsets },
    IngestWatermark,
    SlidingWindowService,
    SnapshotRepository,
    PrecomputeService,
  ],
  exports: [PrecomputeService, SlidingWindowService, IngestWatermark],
})
export class TopKModule {}
