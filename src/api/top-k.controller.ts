import { Controller, Get, Header, Inject, Query, Res, ServiceUnavailableException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { Clock } from '../clock/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { PrecomputeService } from '../topk/precompute.service';
import { availability } from '../topk/staleness';
import { RankedVideo } from '../topk/ranking';
import { TopKQuery } from './top-k.query';

/** Reads precomputed lists only: no ClickHouse query happens on this path. */
@Controller('views')
export class TopKController {
  constructor(
    private readonly precompute: PrecomputeService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('top-k')
  @Header('Cache-Control', 'no-cache')
  topK(@Query() query: TopKQuery, @Res({ passthrough: true }) reply: FastifyReply): RankedVideo[] {
    const snapshot = this.precompute.snapshot(query.window);
    if (!snapshot) {
      reply.header('Retry-After', '5');
      throw new ServiceUnavailableException(`the top-K of window "${query.window}" has not been computed yet; retry in a few seconds`);
    }
    const status = availability(snapshot, this.clock.now(), this.config);
    if (!status.serve) {
      reply.header('Retry-After', '5');
      const cause = this.precompute.lastError ? ` (last refresh error: ${this.precompute.lastError})` : '';
      throw new ServiceUnavailableException(`${status.reason}${cause}`);
    }
    reply.header('Age', String(Math.floor(status.ageMs / 1000)));
    if (status.stale) reply.header('X-Stale', 'true');
    reply.header('X-Window', snapshot.window);
    if (snapshot.interval) {
      reply.header('X-Window-Start', snapshot.interval.start.toISOString());
      reply.header('X-Window-End', snapshot.interval.end.toISOString());
    }
    reply.header('X-Computed-At', snapshot.computedAt.toISOString());
    return snapshot.entries.slice(0, query.k);
  }
}
