import { Module } from '@nestjs/common';
import { RollupRepository } from './rollup.repository';
import { RollupService } from './rollup.service';

/** The rollup of what arrived into the hour, day, month and all-time tables (migration 0017), run by the refresh. */
@Module({
  providers: [RollupRepository, RollupService],
  exports: [RollupService],
})
export class RollupModule {}
