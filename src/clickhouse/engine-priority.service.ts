import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ClickHouseService } from './clickhouse.service';
import { RENICE_EVERY_MS, reniceEngineThreads } from './engine-priority';

/** Embedded mode on Linux: keeps the engine's threads at ENGINE_THREAD_NICE (src/clickhouse/engine-priority.ts). */
@Injectable()
export class EnginePriorityService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(EnginePriorityService.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly clickhouse: ClickHouseService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const nice = this.config.engineThreadNice;
    if (nice === 0 || this.clickhouse.mode !== 'embedded' || process.platform !== 'linux') return;
    const changed = reniceEngineThreads(nice);
    this.logger.log(`engine threads at nice ${nice} (${changed} now), the event loop's at 0`);
    this.timer = setInterval(() => reniceEngineThreads(nice), RENICE_EVERY_MS).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
