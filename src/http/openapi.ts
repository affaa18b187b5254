// What the OpenAPI document says beyond what the decorators of each route can: the answers Node and Fastify give
// before any route runs, the public operations' empty security, and the document's servers, licence and tags. Pure.
import type { OpenAPIObject } from '@nestjs/swagger';

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const;

/** Fastify's answer when the request's headers are over the limit (HEADER_LIMIT_BYTES), for every route. */
const HEADERS_TOO_LARGE = {
  description: 'The request headers are over 16 KiB together; refused before any route runs',
  content: {
    'application/json': {
      schema: { $ref: '#/components/schemas/ErrorDto' },
      example: { statusCode: 431, error: 'Request Header Fields Too Large', message: 'Client Error' },
    },
  },
};

export const TAGS = [
  { name: 'top-k', description: 'The most viewed videos of a window: now, in the past, or pushed as they change' },
  { name: 'videos', description: "One video's numbers in every window" },
  { name: 'ingest', description: 'Views over HTTP, and what ingestion set aside (bearer token)' },
  { name: 'operations', description: 'Health probes and Prometheus metrics' },
];

export function completeDocument(document: OpenAPIObject): OpenAPIObject {
  document.servers = [{ url: '/', description: 'This instance' }];
  document.info.license = { name: 'UNLICENSED (proprietary, all rights reserved)' };
  document.tags = TAGS;
  const bearer = document.components?.securitySchemes?.bearer;
  // Nest's default claims JWT; the tokens are opaque strings compared as they are.
  if (bearer && 'bearerFormat' in bearer) delete bearer.bearerFormat;
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      // An operation without a scheme is public, and says so.
      operation.security ??= [];
      operation.responses['431'] ??= HEADERS_TOO_LARGE;
    }
  }
  return document;
}
