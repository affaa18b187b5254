import { Module } from '@nestjs/common';
import { ApiModule } from './api/api.module';
import { ClickHouseModule } from './clickhouse/clickhouse.module';
import { ClockModule } from './clock/clock';
import { ConfigModule } from './config/config.module';
import { IngestModule } from './ingest/ingest.module';
import { MetricsModule } from './metrics/metrics.module';
import { TopKModule } from './topk/topk.module';

@Module({ imports: [ConfigModule, ClockModule, MetricsModule, ClickHouseModule, IngestModule, TopKModule, ApiModule] })
export class AppModule {}
