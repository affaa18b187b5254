import 'reflect-metadata';
import { Logger, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { configureApp, createAdapter } from './app.setup';
import { ConfigError, loadConfig } from './config/app-config';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

async function bootstrap(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = LEVELS.slice(0, LEVELS.indexOf(config.logLevel as LogLevel) + 1);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, createAdapter(), { logger });
  configureApp(app);
  await app.listen(config.http.port, config.http.host);
  Logger.log(`viewrank listening on http://${config.http.host}:${config.http.port}`, 'Bootstrap');
  // Graceful stop: close HTTP, the schedulers and ClickHouse (with chDB, the engine and its Kafka consumers), then exit 0.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      Logger.log(`${signal} received, shutting down`, 'Bootstrap');
      app.close().then(
        () => process.exit(0),
        (error) => {
          Logger.error(`shutdown failed: ${(error as Error).message}`, 'Bootstrap');
          process.exit(1);
        },
      );
    });
  }
}

bootstrap().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
