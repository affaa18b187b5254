// `npm run openapi`: prints the OpenAPI document (as /docs/openapi.json serves it) without starting anything: the
// application is created but not initialised, in server mode at an address never contacted, so neither ClickHouse
// nor Kafka is needed. For linters and client generators.
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from './app.module';
import { APP_OPTIONS, createAdapter, openApiDocument } from './app.setup';
import { loadConfig } from './config/app-config';

async function main(): Promise<void> {
  const config = loadConfig({ CLICKHOUSE_URL: 'http://127.0.0.1:1' });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), createAdapter(), {
    ...APP_OPTIONS,
    logger: false,
  });
  process.stdout.write(`${JSON.stringify(openApiDocument(app), null, 2)}\n`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
