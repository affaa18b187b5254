import { ExecutionContext, HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import {
  InjectThrottlerOptions,
  InjectThrottlerStorage,
  ThrottlerGuard,
  ThrottlerLimitDetail,
  ThrottlerModuleOptions,
  ThrottlerStorage,
} from '@nestjs/throttler';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { bearerToken, clientKey, matchesSecret } from './secrets';

/**
 * Rate limit per client: by its bearer token when that token is valid (hashed), otherwise by its address. A wrong
 * token must not buy a fresh allowance: guessing tokens is limited per address like any unauthenticated request.
 */
@Injectable()
export class IngestThrottlerGuard extends ThrottlerGuard {
  constructor(
    @InjectThrottlerOptions() options: ThrottlerModuleOptions,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    reflector: Reflector,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    super(options, storage, reflector);
  }

  protected override async getTracker(req: { headers?: { authorization?: string }; ip?: string }): Promise<string> {
    const token = bearerToken(req.headers?.authorization);
    return token && matchesSecret(token, this.config.httpIngest.tokens) ? clientKey(token) : `ip:${req.ip}`;
  }

  /** The same error body as every other answer (statusCode, message, error), not the library's bare message. */
  protected override async throwThrottlingException(_context: ExecutionContext, _detail: ThrottlerLimitDetail): Promise<void> {
    throw new HttpException(
      { statusCode: 429, message: 'too many requests from this client; retry after Retry-After seconds', error: 'Too Many Requests' },
      HttpStatus.TOO_MANY_REQUESTS,
    );
  }
}
