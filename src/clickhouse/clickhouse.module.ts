import { Global, Inject, Logger, Module, OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ClickHouseService } from './clickhouse.service';
import { EnginePriorityService } from './engine-priority.service';
import { runMigrations } from './migrations';

/**
 * ClickHouse access for the whole service. Global, so it initialises first: the schema migrations are applied
 * before any other module's start-up (the ingest queue, src/ingest/ingest-setup.service.ts, comes next).
 */
@Global()
@Module({ providers: [ClickHouseService, EnginePriorityService], exports: [ClickHouseService] })
export class ClickHouseModule implements OnModuleInit {
  private readonly logger = new Logger(ClickHouseModule.name);

  constructor(
    private readonly clickhouse: ClickHouseService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    const { applied, skipped } = await runMigrations(this.clickhouse, this.config, undefined, { onWait: (m) => this.logger.warn(m) });
    this.logger.log(
      `migrations: ${applied.length} applied${applied.length ? ` (${applied.join(', ')})` : ''}, ${skipped.length} already in place`,
    );
  }
}
