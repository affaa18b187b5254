import { Module } from '@nestjs/common';
import { PrecomputeService } from './precompute.service';
import { TopKRepository } from './topk.repository';

/** Precomputes the top-K of every window into an in-memory cache. */
@Module({ providers: [TopKRepository, PrecomputeService], exports: [PrecomputeService] })
export class TopKModule {}
