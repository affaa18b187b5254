import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { bearerToken, clientKey } from './secrets';

/** Rate limit per client: by its bearer token when it sends one (hashed), otherwise by its address. */
@Injectable()
export class IngestThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, any>): Promise<string> {
    const token = bearerToken(req.headers?.authorization);
    return token ? clientKey(token) : `ip:${req.ip}`;
  }
}
