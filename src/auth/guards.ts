import { applyDecorators, CanActivate, ExecutionContext, Inject, Injectable, UnauthorizedException, UseGuards } from '@nestjs/common';
import { ApiSecurity, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ErrorDto } from '../http/error.dto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { bearerToken, matchesSecret } from './secrets';

const INGEST_TOKEN_REQUIRED = 'a valid bearer token is required (Authorization: Bearer <token>)';

/** The 401 of a route IngestTokenGuard guards, described once for OpenAPI (its guards are placed by each route). */
export const IngestTokenUnauthorized = () =>
  ApiUnauthorizedResponse({
    type: ErrorDto,
    example: { statusCode: 401, message: INGEST_TOKEN_REQUIRED, error: 'Unauthorized' },
    description: 'Missing or wrong bearer token',
  });

/** POST /views: a bearer token from INGEST_TOKENS, or 401. With no tokens configured, HTTP ingest is off. */
@Injectable()
export class IngestTokenGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const tokens = this.config.httpIngest.tokens;
    http.getResponse<FastifyReply>().header('WWW-Authenticate', 'Bearer realm="viewrank"');
    if (tokens.length === 0) throw new UnauthorizedException('HTTP ingest is disabled: no INGEST_TOKENS are configured');
    if (!matchesSecret(bearerToken(http.getRequest<FastifyRequest>().headers.authorization), tokens)) {
      throw new UnauthorizedException(INGEST_TOKEN_REQUIRED);
    }
    return true;
  }
}

const READ_KEY_REQUIRED = 'a valid X-Api-Key header is required';

/** Read endpoints, when READ_API_KEY is set: the key in X-Api-Key, or 401. Unset, reads are open. */
@Injectable()
export class ReadKeyGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const key = this.config.readApiKey;
    if (!key) return true;
    const given = context.switchToHttp().getRequest<FastifyRequest>().headers['x-api-key'];
    if (!matchesSecret(typeof given === 'string' ? given : undefined, [key])) throw new UnauthorizedException(READ_KEY_REQUIRED);
    return true;
  }
}

/** A read controller: guarded by ReadKeyGuard, and its 401 described once for OpenAPI. */
export const ReadKeyRequired = () =>
  applyDecorators(
    ApiSecurity('api-key'),
    UseGuards(ReadKeyGuard),
    ApiUnauthorizedResponse({
      type: ErrorDto,
      example: { statusCode: 401, message: READ_KEY_REQUIRED, error: 'Unauthorized' },
      description: 'Only when READ_API_KEY is set: the X-Api-Key header is missing or wrong',
    }),
  );
