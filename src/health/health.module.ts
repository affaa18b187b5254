import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { IngestModule } from '../ingest/ingest.module';
import { TopKModule } from '../top-k/top-k.module';
import { HealthController } from './health.controller';
import { ReadinessIndicators, ShutdownState } from './health.indicators';

/** GET /health/live and GET /health/ready (@nestjs/terminus). */
@Module({
  imports: [TerminusModule.forRoot({ logger: false }), IngestModule, TopKModule],
  controllers: [HealthController],
  providers: [ReadinessIndicators, ShutdownState],
  exports: [ShutdownState],
})
export class HealthModule {}
