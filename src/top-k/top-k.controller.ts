import {
  BadRequestException,
  Controller,
  Get,
  Header,
  HttpException,
  HttpStatus,
  Inject,
  Query,
  Res,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ReadKeyRequired } from '../auth/guards';
import { Clock } from '../clock/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { PrecomputeService } from './precompute.service';
import { pastWindowRequest } from './past-windows';
import { PAST_WINDOW_QUEUE, PastWindowsBusy, PastWindowsService } from './past-windows.service';
import { availability } from './staleness';
import { PreviousListsService } from './previous-lists.service';
import { topKBody, topKMovementBody } from './top-k.body';
import { currentListHeaders, pastListHeaders, previousHeaders } from './top-k.headers';
import { ErrorDto, RETRY_AFTER_HEADER } from '../http/error.dto';
import { parseInstant, RankedVideoDto, TopKQuery } from './top-k.query';
import { isTumbling } from './windows';

/** The current windows are read from the precomputed lists: no ClickHouse query happens on their path. */
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
  'X-Previous-Computed-At': {
    description:
      'Only with movement=true: when the list previousRank refers to was computed; absent when there was none (every previousRank is then null)',
    schema: { type: 'string', format: 'date-time' },
  },
  'X-Window-Final': {
    description:
      'Only with at= for a past window: "true" when the list is final (stored, never recomputed, cacheable for good), "false" while the window closed too recently',
    schema: { type: 'string', enum: ['true', 'false'] },
  },
};

@ApiTags('top-k')
@ReadKeyRequired()
@Controller('views')
export class TopKController {
  constructor(
    private readonly precompute: PrecomputeService,
    private readonly past: PastWindowsService,
    private readonly previousLists: PreviousListsService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('top-k')
  @ApiOperation({
    operationId: 'getTopK',
    summary: 'The most viewed videos of a window, now or in the past',
    description:
      'Exact counts, most viewed first; equal counts in video id order (UTF-8 bytes). The current windows are served from the precomputed cache, ' +
      'refreshed every second. With at=, the hour, day or month that contains that instant: a final past window is served from memory or from its ' +
      'stored list, byte-identical every time; a past window is computed the first time it is asked for, one at a time, so a burst of them gets 429.',
  })
  @ApiOkResponse({
    type: [RankedVideoDto],
    headers: WINDOW_HEADERS,
    example: [
      { videoId: 'dQw4w9WgXcQ', views: 1234567 },
      { videoId: '9bZkp7q19f0', views: 987654 },
    ],
    description:
      'The list; with movement=true each entry also has previousRank, e.g. {"videoId":"dQw4w9WgXcQ","views":1234567,"previousRank":3}',
  })
  @ApiBadRequestResponse({
    type: ErrorDto,
    example: {
      statusCode: 400,
      message:
        'at 2026-12-04T00:00:00.000Z is in the future: for window=day it must be between 2026-10-30T00:00:00.000Z and 2026-12-03T10:20:00.000Z (now)',
      error: 'Bad Request',
    },
    description:
      'A parameter is missing or invalid (window, k, or at: not RFC 3339, outside the counts kept, or with last-hour or all-time); the message names it',
  })
  @ApiResponse({
    status: 429,
    type: ErrorDto,
    example: { statusCode: 429, message: '8 past windows are being computed; retry in a second', error: 'Too Many Requests' },
    description: `Only with at=: ${PAST_WINDOW_QUEUE} past windows are already being computed; retry after Retry-After seconds`,
    headers: RETRY_AFTER_HEADER,
  })
  @ApiServiceUnavailableResponse({
    type: ErrorDto,
    example: {
      statusCode: 503,
      message: 'the top-K of window "hour" has not been computed yet; retry in a few seconds',
      error: 'Service Unavailable',
    },
    description: 'No list yet, or the newest is too old to serve, or a past window cannot be computed now; retry after Retry-After seconds',
    headers: RETRY_AFTER_HEADER,
  })
  @Header('Cache-Control', 'no-cache')
  async topK(@Query() query: TopKQuery, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const past = query.at === undefined ? undefined : await this.pastList(query, query.at, reply);
    const body = past ?? this.currentList(query, reply);
    // Set only on success: an error answer keeps Nest's JSON type (it warns on any other type).
    reply.type('application/json; charset=utf-8');
    return body;
  }

  /** The list of the window that contains `at`, or undefined when that is the current window. */
  private async pastList(query: TopKQuery, at: string, reply: FastifyReply): Promise<string | undefined> {
    if (!isTumbling(query.window))
      throw new BadRequestException([`at applies to window=hour, day or month, not to window=${query.window}`]);
    const instant = parseInstant('at', at);
    const { retention, lateToleranceMs } = this.config;
    const request = pastWindowRequest(query.window, instant, this.clock.now(), { ...retention, lateToleranceMs });
    if (request.kind === 'invalid') throw new BadRequestException([request.reason]);
    if (request.kind === 'current') return undefined;
    try {
      const list = await this.past.list(query.window, request.interval, request.finalFrom);
      reply.headers(pastListHeaders(list, this.config.readApiKey !== undefined));
      if (!query.movement) return topKBody(list.entries, query.k);
      const previous = await this.previousLists.before(query.window, request.interval);
      // Compared with a list that may still change, the answer may too.
      if (!previous.final) reply.header('Cache-Control', 'no-cache');
      reply.headers(previousHeaders(previous));
      return topKMovementBody(list.entries, previous, query.k);
    } catch (error) {
      if (error instanceof PastWindowsBusy) {
        reply.header('Retry-After', '1');
        throw new HttpException({ statusCode: 429, message: error.message, error: 'Too Many Requests' }, HttpStatus.TOO_MANY_REQUESTS);
      }
      // The engine could not compute or read it: the request was fine, so not a 500 but a 503 to retry.
      reply.header('Retry-After', '5');
      const reason = (error as Error).message.split('\n')[0];
      throw new ServiceUnavailableException(
        `the ${query.window} list of ${request.interval.start.toISOString()} cannot be computed now (${reason}); retry`,
      );
    }
  }

  private currentList(query: TopKQuery, reply: FastifyReply): string {
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
    if (!query.movement) {
      reply.headers(currentListHeaders(snapshot, status));
      return topKBody(snapshot.entries, query.k);
    }
    const previous = this.previousLists.get(snapshot.window, snapshot.interval);
    if (!previous) {
      reply.header('Retry-After', '1');
      throw new ServiceUnavailableException(`the list to compare window "${query.window}" with is being loaded; retry in a second`);
    }
    reply.headers({ ...currentListHeaders(snapshot, status), ...previousHeaders(previous) });
    return topKMovementBody(snapshot.entries, previous, query.k);
  }
}
