import { BadRequestException, Controller, Get, Header, Param } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ReadKeyRequired } from '../auth/guards';
import { ErrorDto } from '../http/error.dto';
import { videoIdProblem } from '../ingest/view-events';
import { VideoViewsDto } from './video-views.dto';
import { VideoViewsService } from './video-views.service';

@ApiTags('videos')
@ReadKeyRequired()
@Controller('videos')
export class VideosController {
  constructor(private readonly videos: VideoViewsService) {}

  @Get(':videoId/views')
  @ApiOperation({
    operationId: 'getVideoViews',
    summary: "One video's views in every window",
    description:
      'Exact counts now in last-hour, hour, day, month and all-time, each from a primary-key lookup (a few milliseconds), and the rank where ' +
      'the video is in the top 1000 of the list being served. A video never viewed gets zeros, not a 404: no view is an answer too.',
  })
  @ApiParam({
    name: 'videoId',
    description: 'The video id as it arrives in view events (URL-encoded), at most 256 UTF-8 bytes',
    example: 'dQw4w9WgXcQ',
  })
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
  @ApiBadRequestResponse({
    type: ErrorDto,
    example: { statusCode: 400, message: ['videoId is longer than 256 bytes'], error: 'Bad Request' },
    description: 'The videoId could never be a video id: empty, over 256 UTF-8 bytes, or not valid Unicode',
  })
  @Header('Cache-Control', 'no-cache')
  views(@Param('videoId') videoId: string): Promise<VideoViewsDto> {
    if (!videoId) throw new BadRequestException(['videoId must not be empty']);
    const problem = videoIdProblem(videoId);
    if (problem) throw new BadRequestException([`videoId ${problem}`]);
    return this.videos.views(videoId);
  }
}
