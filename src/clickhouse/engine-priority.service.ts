import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ClickHouseService } from './clickhouse.service';
import { ENGINE_THREAD_NICE, RENICE_EVERY_MS, reniceEngineThreads } from './engine-priority';

/** Embedded mode on Linux: keeps the engine's threads at ENGINE_THREAD_NICE (src/clickhouse/engine-priority.ts). */
@Injectable()
export class EnginePriorityService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(EnginePriorityService.name);
  private timer?: NodeJS.Timeout;

  constructor(private readonly clickhouse: ClickHouseService) {}

  onApplicationBootstrap(): void {
    const nice = ENGINE_THREAD_NICE;
    if (this.clickhouse.mode !== 'embedded' || process.platform !== 'linux') return;
    const changed = reniceEngineThreads(nice);
    this.logger.log(`engine threads at nice ${nice} (${changed} now), the event loop's at 0`);
    this.timer = setInterval(() => reniceEngineThreads(nice), RENICE_EVERY_MS).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }
}
