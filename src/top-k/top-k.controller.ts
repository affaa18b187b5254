import { Controller, Get, Header, Inject, Query, Res, ServiceUnavailableException, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSecurity,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ReadKeyGuard } from '../auth/guards';
import { Clock } from '../clock/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { PrecomputeService } from './precompute.service';
import { availability } from './staleness';
import { topKBody } from './top-k.body';
import { ErrorDto } from '../http/error.dto';
import { RankedVideoDto, TopKQuery } from './top-k.query';

/** Reads precomputed lists only: no ClickHouse query happens on this path. */
const WINDOW_HEADERS = {
  Age: { description: 'Seconds since the list was computed', schema: { type: 'integer' } },
  'X-Stale': { description: '"true" while refreshes fail and an older list is served', schema: { type: 'string' } },
  'X-Window': { description: 'The window of the list', schema: { type: 'string' } },
  'X-Window-Start': {
    description: 'Start of the window (UTC, inclusive); absent for all-time',
    schema: { type: 'string', format: 'date-time' },
  },
  'X-Window-End': {
    description: 'End of the window (UTC, exclusive); absent for all-time',
    schema: { type: 'string', format: 'date-time' },
  },
  'X-Computed-At': { description: 'The instant the list was computed for', schema: { type: 'string', format: 'date-time' } },
  'X-Watermark': {
    description:
      'last-hour only: the end of the newest minute frozen into the list. Minutes before it are final; later ones are read live and grow while ingestion catches up',
    schema: { type: 'string', format: 'date-time' },
  },
};

@ApiTags('top-k')
@ApiSecurity('api-key')
@UseGuards(ReadKeyGuard)
@Controller('views')
export class TopKController {
  constructor(
    private readonly precompute: PrecomputeService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('top-k')
  @ApiOperation({
    summary: 'The most viewed videos of a window',
    description:
      'Exact counts, most viewed first; equal counts in video id order (UTF-8 bytes). Served from the precomputed cache, refreshed every few seconds.',
  })
  @ApiOkResponse({ type: [RankedVideoDto], headers: WINDOW_HEADERS })
  @ApiBadRequestResponse({ type: ErrorDto, description: 'A parameter is missing or invalid; the message names it' })
  @ApiUnauthorizedResponse({
    type: ErrorDto,
    example: { statusCode: 401, message: 'a valid X-Api-Key header is required', error: 'Unauthorized' },
    description: 'Only when READ_API_KEY is set: the X-Api-Key header is missing or wrong',
  })
  @ApiServiceUnavailableResponse({
    type: ErrorDto,
    example: {
      statusCode: 503,
      message: 'the top-K of window "hour" has not been computed yet; retry in a few seconds',
      error: 'Service Unavailable',
    },
    description: 'No list yet, or the newest is too old to serve; retry after Retry-After seconds',
  })
  @Header('Cache-Control', 'no-cache')
  topK(@Query() query: TopKQuery, @Res({ passthrough: true }) reply: FastifyReply): string {
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
    if (snapshot.watermark) reply.header('X-Watermark', snapshot.watermark.toISOString());
    reply.type('application/json; charset=utf-8');
    return topKBody(snapshot.entries, query.k);
  }
}
