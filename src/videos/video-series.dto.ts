import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { Allow, IsIn, IsOptional, IsRFC3339 } from 'class-validator';
import { DEFAULT_BUCKETS, GRAINS, Grain, MAX_BUCKETS, MAX_SERIES_VIDEOS } from './series';
import { VideoSeries, VideosSeries } from './video-series.service';

const emptyIsMissing = ({ value }: { value: unknown }) => (value === '' ? undefined : value);

/** Query of GET /videos/{videoId}/views/series. */
export class VideoSeriesQuery {
  @ApiPropertyOptional({
    enum: GRAINS,
    default: 'minute',
    description:
      'The bucket: UTC minute (kept RETENTION_MINUTE_HOURS, 3 h by default), hour and day (RETENTION_HOUR_DAYS, 35 days), month (RETENTION_MONTH_MONTHS, 13 months)',
  })
  @IsIn(GRAINS, { message: `grain must be one of: ${GRAINS.join(', ')}` })
  @IsOptional()
  @Transform(emptyIsMissing)
  grain?: Grain;

  @ApiPropertyOptional({
    type: 'string',
    format: 'date-time',
    description:
      `The first bucket is the one holding this instant (RFC 3339), not older than the grain's counts kept. Default: ` +
      `${DEFAULT_BUCKETS.minute} minutes, ${DEFAULT_BUCKETS.hour} hours, ${DEFAULT_BUCKETS.day} days or ${DEFAULT_BUCKETS.month} months ` +
      `up to the bucket of to, or as many as are kept. At most ${MAX_BUCKETS} buckets from it to to.`,
  })
  @IsRFC3339({ message: 'from must be an RFC 3339 instant, e.g. 2026-12-02T14:30:00Z' })
  @IsOptional()
  @Transform(emptyIsMissing)
  from?: string;

  @ApiPropertyOptional({
    type: 'string',
    format: 'date-time',
    description: 'The last bucket is the one holding this instant (RFC 3339), not in the future. Default: now (the open bucket last).',
  })
  @IsRFC3339({ message: 'to must be an RFC 3339 instant, e.g. 2026-12-02T14:30:00Z' })
  @IsOptional()
  @Transform(emptyIsMissing)
  to?: string;
}

export class SeriesBucketDto {
  @ApiProperty({ format: 'date-time', example: '2026-12-03T14:40:00.000Z', description: 'Start of the bucket (UTC)' })
  start!: string;

  @ApiProperty({ type: 'integer', example: 42, description: 'Views of the video in the bucket, exact; 0 for none' })
  views!: number;
}

export class VideoSeriesDto implements VideoSeries {
  @ApiProperty({ example: 'dQw4w9WgXcQ' })
  videoId!: string;

  @ApiProperty({ enum: GRAINS, example: 'minute' })
  grain!: Grain;

  @ApiProperty({ format: 'date-time', example: '2026-12-03T13:42:00.000Z', description: 'Start of the first bucket' })
  from!: string;

  @ApiProperty({ format: 'date-time', example: '2026-12-03T14:42:00.000Z', description: 'End of the last bucket (exclusive)' })
  to!: string;

  @ApiProperty({ format: 'date-time', example: '2026-12-03T14:41:06.000Z', description: 'The instant the counts are for' })
  at!: string;

  @ApiProperty({
    example: false,
    description:
      'Every bucket ended more than LATE_TOLERANCE_MS ago and ClickHouse holds everything Kafka had by then: the answer no longer changes, and Cache-Control lets caches keep it. ' +
      'Otherwise the last bucket is current (the hour, day and month counts as of the last rollup, at most a refresh period behind the minutes)',
  })
  final!: boolean;

  @ApiProperty({ type: [SeriesBucketDto], description: 'Every bucket of the range, oldest first, zeros included' })
  buckets!: SeriesBucketDto[];
}

/** Query of GET /views/series: the same range as one video's, for up to MAX_SERIES_VIDEOS videos. */
export class VideosSeriesQuery extends VideoSeriesQuery {
  @ApiProperty({
    type: [String],
    minItems: 1,
    example: ['dQw4w9WgXcQ', '9bZkp7q5yiE'],
    description:
      `The videos, one videoId parameter each (videoId=a&videoId=b), 1 to ${MAX_SERIES_VIDEOS} of them, each as it arrives in view events ` +
      "(URL-encoded), at most 256 UTF-8 bytes. A repeated id is answered once. The request's headers, its line included, must fit in 16 KiB.",
  })
  @Allow()
  videoId!: string | string[];
}

export class VideoViewsSeriesDto {
  @ApiProperty({ example: 'dQw4w9WgXcQ' })
  videoId!: string;

  @ApiProperty({
    type: [Number],
    example: [12, 0, 31],
    description: "The video's views in each bucket, in the order of starts, exact; 0 for none",
  })
  views!: number[];
}

export class VideosSeriesDto implements VideosSeries {
  @ApiProperty({ enum: GRAINS, example: 'minute' })
  grain!: Grain;

  @ApiProperty({ format: 'date-time', example: '2026-12-03T14:39:00.000Z', description: 'Start of the first bucket' })
  from!: string;

  @ApiProperty({ format: 'date-time', example: '2026-12-03T14:42:00.000Z', description: 'End of the last bucket (exclusive)' })
  to!: string;

  @ApiProperty({ format: 'date-time', example: '2026-12-03T14:41:06.000Z', description: 'The instant the counts are for' })
  at!: string;

  @ApiProperty({ example: false, description: 'As for one video: the answer no longer changes, and Cache-Control lets caches keep it' })
  final!: boolean;

  @ApiProperty({
    type: [String],
    format: 'date-time',
    example: ['2026-12-03T14:39:00.000Z', '2026-12-03T14:40:00.000Z', '2026-12-03T14:41:00.000Z'],
    description: 'Start of every bucket of the range, oldest first (UTC)',
  })
  starts!: string[];

  @ApiProperty({
    type: [VideoViewsSeriesDto],
    description: 'Each video asked for, in the order first asked, with its views in every bucket',
  })
  videos!: VideoViewsSeriesDto[];
}
