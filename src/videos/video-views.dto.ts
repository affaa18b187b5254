import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { WINDOWS, WindowName } from '../top-k/windows';
import { VideoViews, WindowViews } from './video-views';

export class WindowViewsDto implements WindowViews {
  @ApiProperty({ enum: WINDOWS, example: 'hour' })
  window!: WindowName;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-12-03T14:00:00.000Z',
    description: 'Start of the window (inclusive); absent for all-time',
  })
  start?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-12-03T15:00:00.000Z',
    description: 'End of the window (exclusive); absent for all-time',
  })
  end?: string;

  @ApiProperty({ type: 'integer', example: 1234, description: 'Views of the video in the window now, exact; 0 for a video never viewed' })
  views!: number;

  @ApiProperty({
    type: 'integer',
    nullable: true,
    example: 17,
    description: 'Its 1-based rank in the list served now, or null when it is not in the top 1000',
  })
  rank!: number | null;

  @ApiProperty({ example: true, description: 'Whether the video is in the top 1000 of the window (false: it is not, whatever its count)' })
  inTop1000!: boolean;

  @ApiProperty({
    type: 'string',
    format: 'date-time',
    nullable: true,
    example: '2026-12-03T14:41:05.120Z',
    description: 'When the list the rank comes from was computed (within a refresh period of now); null before the first list',
  })
  rankComputedAt!: string | null;
}

export class VideoViewsDto implements VideoViews {
  @ApiProperty({ example: 'dQw4w9WgXcQ' })
  videoId!: string;

  @ApiProperty({ type: 'string', format: 'date-time', example: '2026-12-03T14:41:06.000Z', description: 'The instant the counts are for' })
  at!: string;

  @ApiProperty({ type: [WindowViewsDto], description: 'last-hour, hour, day, month and all-time, in that order' })
  windows!: WindowViewsDto[];
}
