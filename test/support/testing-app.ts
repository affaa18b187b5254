// A compiled Nest testing module as an HTTP application, configured as main.ts configures it.
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { TestingModule } from '@nestjs/testing';
import { APP_OPTIONS, configureApp, createAdapter } from '../../src/app.setup';

/** The HTTP application of a compiled testing module, configured as main.ts configures it and ready for requests. */
export async function startTestingApp(moduleRef: TestingModule): Promise<NestFastifyApplication> {
  const app = await configureApp(moduleRef.createNestApplication<NestFastifyApplication>(createAdapter(), APP_OPTIONS));
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
