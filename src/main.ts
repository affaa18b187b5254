import './threadpool';
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { APP_OPTIONS, configureApp, createAdapter } from './app.setup';
import { ConfigError, loadConfig } from './config/app-config';
import { QuietLogger } from './logging/quiet-logger';
import { StartupLogger } from './logging/startup-logger';
import { ShutdownState } from './health/health.indicators';

async function bootstrap(): Promise<void> {
  // Validated before anything starts, so a bad setting stops start-up with one message naming it.
  const config = loadConfig(process.env);
  // Start-up lines are written as they happen, each with its own time; then the application's logger takes over.
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), createAdapter(), {
    ...APP_OPTIONS,
    logger: new StartupLogger(config.logLevel),
  });
  const logger = app.get(QuietLogger);
  app.useLogger(logger);
  await configureApp(app);
  await app.listen(config.http.port, config.http.host);
  logger.log(`viewrank listening on http://${config.http.host}:${config.http.port} (API docs at /docs)`, 'Bootstrap');
  // Graceful stop: readiness fails at once, requests are still answered for SHUTDOWN_DRAIN_MS (load balancers take
  // the instance out meanwhile), then HTTP, the schedulers and ClickHouse (with chDB, the engine and its Kafka
  // consumers) close, and the process exits 0.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.log(`${signal} received, shutting down after a ${config.shutdownDrainMs} ms drain`, 'Bootstrap');
      app.get(ShutdownState).draining = true;
      new Promise((resolve) => setTimeout(resolve, config.shutdownDrainMs))
        .then(() => app.close())
        .then(
          () => process.exit(0),
          (error) => {
            logger.error(`shutdown failed: ${(error as Error).message}`, 'Bootstrap');
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
