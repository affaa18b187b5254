// The real application, in this process, with its clock and configuration replaced by the test.
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppModule } from '../../src/app.module';
import { startTestingApp } from './testing-app';
import { Clock } from '../../src/clock/clock';
import { AppConfig, loadConfig } from '../../src/config/app-config';

/** A clock the test sets by hand. */
export class ManualClock extends Clock {
  constructor(public instant: Date) {
    super();
  }
  now(): Date {
    return this.instant;
  }
}

/**
 * The settings that give one test its own ClickHouse database, Kafka topic and consumer group, all named `name`
 * (uniqueName): spread them into a test's environment, `{ ...isolated(name), LATE_TOLERANCE_MS: '5000' }`.
 */
export function isolated(name: string): { CLICKHOUSE_DATABASE: string; KAFKA_TOPIC: string; KAFKA_GROUP: string } {
  return { CLICKHOUSE_DATABASE: name, KAFKA_TOPIC: name, KAFKA_GROUP: name };
}

/** chDB allows one data directory per process, so every test file in this process shares one (isolated by database). */
export const TEST_CHDB_PATH = join(tmpdir(), `viewrank-test-chdb-${process.pid}`);

export async function startApp(env: Record<string, string>, clock: Clock): Promise<{ app: NestFastifyApplication; config: AppConfig }> {
  const config = loadConfig({ CHDB_PATH: TEST_CHDB_PATH, REFRESH_INTERVAL_MS: '0', LOG_LEVEL: 'warn', ...env });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] })
    .overrideProvider(Clock)
    .useValue(clock)
    .compile();
  moduleRef.useLogger(['error', 'warn']);
  return { app: await startTestingApp(moduleRef), config };
}

/** Polls until `check` returns true, or fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 120_000, everyMs = 500): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ''}`);
}
