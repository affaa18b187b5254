// The one place the HTTP application is configured; main.ts and the tests both call it.
import { INestApplication, ValidationPipe } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { FastifyInstance } from 'fastify';
import { requestId } from './logging/logging.module';

/** Request bodies are small JSON batches at most; anything larger is refused before parsing. */
export const BODY_LIMIT_BYTES = 1_048_576;

export function createAdapter(): FastifyAdapter {
  return new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES, genReqId: requestId });
}

export function configureApp(app: INestApplication): INestApplication {
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header('X-Request-Id', request.id);
    done();
  });
  app.useGlobalPipes(
    new ValidationPipe({
      transform: true,
      whitelist: true,
      forbidNonWhitelisted: true,
      stopAtFirstError: true,
    }),
  );
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('viewrank')
      .setDescription('Exact real-time top-K most viewed videos, per window. Views arrive through Kafka; lists are precomputed.')
      .setVersion('1')
      .build(),
  );
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs/openapi.json',
    yamlDocumentUrl: 'docs/openapi.yaml',
    // No badge from the public validator: pages served here never call out.
    swaggerOptions: { validatorUrl: null },
  });
  return app;
}
