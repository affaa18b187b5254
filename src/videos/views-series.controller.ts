import { BadRequestException, Controller, Get, Inject, Query, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ReadKeyRequired } from '../auth/guards';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ErrorDto, RETRY_AFTER_HEADER } from '../http/error.dto';
import { videoIdProblem } from '../ingest/view-events';
import { MAX_SERIES_VIDEOS, seriesVideos } from './series';
import { answerSeries } from './series.http';
import { VideosSeriesDto, VideosSeriesQuery } from './video-series.dto';
import { VideoSeriesService } from './video-series.service';

/** GET /views/series: many videos' views per bucket in one answer, as GET /videos/{videoId}/views/series gives one's. */
@ApiTags('videos')
@ReadKeyRequired()
@Controller('views')
export class ViewsSeriesController {
  constructor(
    private readonly seriesOf: VideoSeriesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('series')
  @ApiOperation({
    operationId: 'getViewsSeries',
    summary: "Many videos' views per minute, hour, day or month",
    description:
      `The answer of GET /videos/{videoId}/views/series for up to ${MAX_SERIES_VIDEOS} videos over one range, in one primary-key range read: ` +
      "the buckets' starts once, then each video's views in that order. For pages that chart many videos at once (the leaderboard's " +
      'rows), where one request per video would queue behind the few connections a browser opens to a host.',
  })
  @ApiOkResponse({
    type: VideosSeriesDto,
    example: {
      grain: 'minute',
      from: '2026-12-03T14:39:00.000Z',
      to: '2026-12-03T14:42:00.000Z',
      at: '2026-12-03T14:41:06.000Z',
      final: false,
      starts: ['2026-12-03T14:39:00.000Z', '2026-12-03T14:40:00.000Z', '2026-12-03T14:41:00.000Z'],
      videos: [
        { videoId: 'dQw4w9WgXcQ', views: [12, 0, 31] },
        { videoId: '9bZkp7q5yiE', views: [0, 0, 4] },
      ],
    },
  })
  @ApiBadRequestResponse({
    type: ErrorDto,
    example: { statusCode: 400, message: ['videoId #3 is longer than 256 bytes'], error: 'Bad Request' },
    description:
      `No videoId, more than ${MAX_SERIES_VIDEOS} videos, or one that could never be a video id (named by its place); ` +
      'otherwise as for one video: the message names the parameter and the valid range',
  })
  @ApiServiceUnavailableResponse({
    type: ErrorDto,
    example: { statusCode: 503, message: 'the views of minutes cannot be read now (Timeout error.); retry', error: 'Service Unavailable' },
    description: 'ClickHouse could not be read now; retry after Retry-After seconds',
    headers: RETRY_AFTER_HEADER,
  })
  async series(@Query() query: VideosSeriesQuery, @Res({ passthrough: true }) reply: FastifyReply): Promise<VideosSeriesDto> {
    const videos = seriesVideos(query.videoId, videoIdProblem);
    if (videos.kind === 'invalid') throw new BadRequestException([videos.reason]);
    return answerSeries(this.seriesOf, query, reply, this.config.readApiKey !== undefined, (grain, range) =>
      this.seriesOf.seriesOfMany(videos.videoIds, grain, range),
    );
  }
}
