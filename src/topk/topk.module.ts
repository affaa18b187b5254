import { Module } from '@nestjs/common';
import { PrecomputeService } from './precompute.service';
import { SlidingWindowRepository } from './sliding-window.repository';
import { SlidingWindowService } from './sliding-window.service';
import { SnapshotRepository } from './snapshot.repository';
import { TopKRepository } from './topk.repository';

/** Precomputes the top-K of every window into an in-memory cache. */
@Module({
  providers: [TopKRepository, SlidingWindowRepository, SlidingWindowService, SnapshotRepository, PrecomputeService],
  exports: [PrecomputeService, SlidingWindowService],
})
export class TopKModule {}
