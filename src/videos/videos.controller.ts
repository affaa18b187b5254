import { BadRequestException, Controller, Get, Header, Inject, Param, Query, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiParam, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ReadKeyRequired } from '../auth/guards';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ErrorDto, RETRY_AFTER_HEADER } from '../http/error.dto';
import { videoIdProblem } from '../ingest/view-events';
import { answerSeries } from './series.http';
import { VideoSeriesDto, VideoSeriesQuery } from './video-series.dto';
import { VideoSeriesService } from './video-series.service';
import { VideoViewsDto } from './video-views.dto';
import { VideoViewsService } from './video-views.service';

const VIDEO_ID_PARAM = {
  name: 'videoId',
  description: 'The video id as it arrives in view events (URL-encoded), at most 256 UTF-8 bytes',
  example: 'dQw4w9WgXcQ',
};

const BAD_VIDEO_ID = {
  type: ErrorDto,
  example: { statusCode: 400, message: ['videoId is longer than 256 bytes'], error: 'Bad Request' },
  description: 'The videoId could never be a video id: empty, over 256 UTF-8 bytes, or not valid Unicode',
};

/** A 400 naming videoId when it could never be a video id. */
function checkVideoId(videoId: string): void {
  if (!videoId) throw new BadRequestException(['videoId must not be empty']);
  const problem = videoIdProblem(videoId);
  if (problem) throw new BadRequestException([`videoId ${problem}`]);
}

@ApiTags('videos')
@ReadKeyRequired()
@Controller('videos')
export class VideosController {
  constructor(
    private readonly videos: VideoViewsService,
    private readonly seriesOf: VideoSeriesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get(':videoId/views')
  @ApiOperation({
    operationId: 'getVideoViews',
    summary: "One video's views in every window",
    description:
      'Exact counts now in last-hour, hour, day, month and all-time, each from a primary-key lookup (a few milliseconds), and the rank where ' +
      'the video is in the top 1000 of the list being served. A video never viewed gets zeros, not a 404: no view is an answer too.',
  })
  @ApiParam(VIDEO_ID_PARAM)
  @ApiOkResponse({
    type: VideoViewsDto,
    example: {
      videoId: 'dQw4w9WgXcQ',
      at: '2026-12-03T14:41:06.000Z',
      windows: [
        {
          window: 'last-hour',
          start: '2026-12-03T13:42:00.000Z',
          end: '2026-12-03T14:42:00.000Z',
          views: 310,
          rank: 4,
          inTop1000: true,
          rankComputedAt: '2026-12-03T14:41:05.120Z',
        },
        {
          window: 'hour',
          start: '2026-12-03T14:00:00.000Z',
          end: '2026-12-03T15:00:00.000Z',
          views: 205,
          rank: 6,
          inTop1000: true,
          rankComputedAt: '2026-12-03T14:41:05.120Z',
        },
        {
          window: 'day',
          start: '2026-12-03T00:00:00.000Z',
          end: '2026-12-04T00:00:00.000Z',
          views: 1830,
          rank: 12,
          inTop1000: true,
          rankComputedAt: '2026-12-03T14:41:05.120Z',
        },
        {
          window: 'month',
          start: '2026-12-01T00:00:00.000Z',
          end: '2027-01-01T00:00:00.000Z',
          views: 5120,
          rank: 2031,
          inTop1000: false,
          rankComputedAt: '2026-12-03T14:41:05.120Z',
        },
        { window: 'all-time', views: 90211, rank: null, inTop1000: false, rankComputedAt: '2026-12-03T14:41:05.120Z' },
      ],
    },
  })
  @ApiBadRequestResponse(BAD_VIDEO_ID)
  @Header('Cache-Control', 'no-cache')
  views(@Param('videoId') videoId: string): Promise<VideoViewsDto> {
    checkVideoId(videoId);
    return this.videos.views(videoId);
  }

  @Get(':videoId/views/series')
  @ApiOperation({
    operationId: 'getVideoViewsSeries',
    summary: "One video's views per minute, hour, day or month",
    description:
      "Exact views in every bucket of the range, zeros included, from the grain's counting table by a primary-key range read. " +
      'The open bucket is current; a range that ended more than LATE_TOLERANCE_MS ago, once ingestion has caught up with that instant, is final ' +
      '(final: true, and Cache-Control lets caches keep it for good).',
  })
  @ApiParam(VIDEO_ID_PARAM)
  @ApiOkResponse({
    type: VideoSeriesDto,
    example: {
      videoId: 'dQw4w9WgXcQ',
      grain: 'hour',
      from: '2026-12-03T12:00:00.000Z',
      to: '2026-12-03T15:00:00.000Z',
      at: '2026-12-03T14:41:06.000Z',
      final: false,
      buckets: [
        { start: '2026-12-03T12:00:00.000Z', views: 118 },
        { start: '2026-12-03T13:00:00.000Z', views: 0 },
        { start: '2026-12-03T14:00:00.000Z', views: 205 },
      ],
    },
  })
  @ApiBadRequestResponse({
    type: ErrorDto,
    example: {
      statusCode: 400,
      message: [
        'from 2026-10-01T00:00:00.000Z is older than the hour counts kept: for grain=hour it must be between 2026-10-30T00:00:00.000Z and 2026-12-03T14:41:06.000Z (now)',
      ],
      error: 'Bad Request',
    },
    description:
      "A bad videoId (as above), an unknown grain, from or to not RFC 3339, outside the grain's retention or in the future, from after to, or more than 1,500 buckets: the message names the parameter and the valid range",
  })
  @ApiServiceUnavailableResponse({
    type: ErrorDto,
    example: {
      statusCode: 503,
      message: 'the views of hours cannot be read now (Timeout error.); retry',
      error: 'Service Unavailable',
    },
    description: 'ClickHouse could not be read now; retry after Retry-After seconds',
    headers: RETRY_AFTER_HEADER,
  })
  async series(
    @Param('videoId') videoId: string,
    @Query() query: VideoSeriesQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<VideoSeriesDto> {
    checkVideoId(videoId);
    return answerSeries(this.seriesOf, query, reply, this.config.readApiKey !== undefined, (grain, range) =>
      this.seriesOf.series(videoId, grain, range),
    );
  }
}
