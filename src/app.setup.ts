// The one place the HTTP application is configured; main.ts and the tests both call it.
import { ValidationPipe } from '@nestjs/common';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { FastifyInstance } from 'fastify';
import { registerStructureGuard } from './http/http-guards';
import { completeDocument } from './http/openapi';
import { decodeUtf8Keeping, parseStrictJson } from './http/strict-json';
import { securityHeaders } from './http/security-headers';
import { requestId } from './logging/logging.module';

/** Request bodies are small JSON batches at most; anything larger is refused (413) before parsing. */
export const BODY_LIMIT_BYTES = 1_048_576;
/** All request headers together; larger ones are refused (431) by Node before they reach the application. */
export const HEADER_LIMIT_BYTES = 16_384;

/**
 * A path parameter as sent (percent-encoded): a video id of 256 UTF-8 bytes is at most 768 characters encoded, so
 * that any valid id reaches the handler, which answers an invalid one with a 400 naming it; longer ones get 414.
 */
export const PATH_PARAM_LIMIT_CHARS = 1024;

/**
 * Options for every NestFactory.create of this application: Nest's own JSON parser off, as configureApp registers the
 * strict one (src/http/strict-json.ts) and Fastify keeps one parser per content type.
 */
export const APP_OPTIONS = { bodyParser: false } as const;

export function createAdapter(): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    genReqId: requestId,
    http: { maxHeaderSize: HEADER_LIMIT_BYTES },
    routerOptions: { maxParamLength: PATH_PARAM_LIMIT_CHARS },
  });
}

/**
 * Security headers on every answer (helmet, computed once): nosniff, no framing, no referrer leaks, and a content security
 * policy that allows only this origin's scripts. Styles may be inline (Swagger UI and the leaderboard use them).
 * No HSTS and no upgrade-insecure-requests: the service speaks plain HTTP; TLS, where used, ends at a proxy.
 */
const HELMET_OPTIONS: Parameters<typeof securityHeaders>[0] = {
  hsts: false,
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      fontSrc: ["'self'", 'data:'],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
};

export async function configureApp(app: NestFastifyApplication): Promise<NestFastifyApplication> {
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  registerStructureGuard(fastify);
  // JSON bodies kept as sent: no byte replaced, no key twice, no number rounded (src/http/strict-json.ts).
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body: Buffer, done) => {
    try {
      done(null, parseStrictJson(decodeUtf8Keeping(body)));
    } catch (error) {
      done(Object.assign(new Error((error as Error).message), { statusCode: 400, code: 'VIEWRANK_INVALID_BODY' }), undefined);
    }
  });
  const headers = securityHeaders(HELMET_OPTIONS);
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.headers(headers);
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
  const document = openApiDocument(app);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs/openapi.json',
    yamlDocumentUrl: 'docs/openapi.yaml',
    // No badge from the public validator: pages served here never call out.
    swaggerOptions: { validatorUrl: null },
  });
  return app;
}

/** The OpenAPI document of the application's routes, as /docs/openapi.json serves it (and `npm run openapi` prints). */
export function openApiDocument(app: NestFastifyApplication): OpenAPIObject {
  return completeDocument(
    SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('viewrank')
        .setDescription('Exact real-time top-K most viewed videos, per window. Views arrive through Kafka; lists are precomputed.')
        .setVersion('1')
        .addBearerAuth({
          type: 'http',
          scheme: 'bearer',
          description: 'POST /views and /dead-letters: one of INGEST_TOKENS, an opaque string',
        })
        .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'Reads, only when READ_API_KEY is set' }, 'api-key')
        .build(),
    ),
  );
}
