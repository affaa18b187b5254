import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsDefined, IsIn, IsInt, Max, Min } from 'class-validator';
import { MAX_K, WINDOWS, WindowName } from './windows';

/**
 * Only plain decimal digits become numbers; an empty value counts as missing; anything else stays as given
 * and fails @IsInt with a clear message.
 */
const digitsToNumber = ({ value }: { value: unknown }) => {
  if (value === '') return undefined;
  return typeof value === 'string' && /^[0-9]{1,9}$/.test(value) ? Number(value) : value;
};

/** Query of GET /views/top-k. */
export class TopKQuery {
  // class-validator runs these bottom-up: presence first, then type, then range.
  @ApiProperty({
    enum: WINDOWS,
    example: 'hour',
    description:
      'hour, day, month: the current UTC hour, day or month so far; all-time: everything kept; last-hour: the current minute and the 59 before it',
  })
  @IsIn(WINDOWS, { message: `window must be one of: ${WINDOWS.join(', ')}` })
  @IsDefined({ message: 'window is required' })
  window!: WindowName;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: MAX_K, example: 10, description: 'How many videos to return, most viewed first' })
  @Min(1, { message: `k must be between 1 and ${MAX_K}` })
  @Max(MAX_K, { message: `k must be between 1 and ${MAX_K}` })
  @IsInt({ message: 'k must be an integer' })
  @IsDefined({ message: 'k is required' })
  @Transform(digitsToNumber)
  k!: number;
}

/** One entry of a top-K list. */
export class RankedVideoDto {
  @ApiProperty({ example: 'dQw4w9WgXcQ', description: 'The video id as it arrived in the view events' })
  videoId!: string;

  @ApiProperty({ type: 'integer', example: 1234567, description: 'Views of the video in the window' })
  views!: number;
}
