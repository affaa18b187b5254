import { DynamicModule, Module } from '@nestjs/common';
import { ClickHouseModule } from './clickhouse/clickhouse.module';
import { ClickHouseHttpModule } from './clickhouse-http/clickhouse-http.module';
import { ClockModule } from './clock/clock';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { HealthModule } from './health/health.module';
import { IngestModule } from './ingest/ingest.module';
import { LoggingModule } from './logging/logging.module';
import { MetricsModule } from './metrics/metrics.module';
import { PushModule } from './push/push.module';
import { TopKModule } from './top-k/top-k.module';
import { VideosModule } from './videos/videos.module';
import { WebModule } from './web/web.module';

/** The whole service, built from a configuration validated beforehand (main.ts; tests pass theirs). */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule,
        ClockModule,
        MetricsModule,
        ClickHouseModule,
        ClickHouseHttpModule,
        IngestModule,
        TopKModule,
        VideosModule,
        PushModule,
        HealthModule,
        WebModule,
      ],
    };
  }
}
