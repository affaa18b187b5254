import { Module } from '@nestjs/common';
import { RollupModule } from '../rollup/rollup.module';
import { AppendedOffsets, IngestWatermark, KafkaAppendedOffsets } from './ingest-watermark';
import { FinalListRepository } from './final-list.repository';
import { PastWindowsService } from './past-windows.service';
import { PrecomputeService } from './precompute.service';
import { PreviousListsService } from './previous-lists.service';
import { LastHourRepository } from './last-hour.repository';
import { LastHourService } from './last-hour.service';
import { SnapshotRepository } from './snapshot.repository';
import { TopKController } from './top-k.controller';
import { TopKRepository } from './top-k.repository';

/**
 * Precomputes the top-K of every window into an in-memory cache, and serves it: GET /views/top-k; with at=, the lists of
 * past windows, final ones stored once (topk_final).
 */
@Module({
  imports: [RollupModule],
  controllers: [TopKController],
  providers: [
    TopKRepository,
    LastHourRepository,
    { provide: AppendedOffsets, useClass: KafkaAppendedOffsets },
    IngestWatermark,
    LastHourService,
    SnapshotRepository,
    PrecomputeService,
    FinalListRepository,
    PastWindowsService,
    PreviousListsService,
  ],
  exports: [PrecomputeService, LastHourService, IngestWatermark, PastWindowsService, PreviousListsService, TopKRepository],
})
export class TopKModule {}
