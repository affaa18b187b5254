import { BadRequestException } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsDefined, IsIn, IsInt, IsOptional, IsRFC3339, Max, Min } from 'class-validator';
import { MAX_K, WINDOWS, WindowName } from './windows';

/**
 * Only plain decimal digits become numbers; an empty value counts as missing; anything else stays as given
 * and fails @IsInt with a clear message.
 */
const digitsToNumber = ({ value }: { value: unknown }) => {
  if (value === '') return undefined;
  return typeof value === 'string' && /^[0-9]{1,9}$/.test(value) ? Number(value) : value;
};

/** Query of GET /views/top-k/stream, and the part GET /views/top-k shares with it. */
export class TopKStreamQuery {
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

  @ApiPropertyOptional({
    type: 'boolean',
    default: false,
    description:
      "true: each entry also says where it stood before, previousRank: its place in the previous window's final list (the previous hour, day or month), " +
      "or for last-hour and all-time in the list one hour ago; null when it was not in that list's top 1000. X-Previous-Computed-At says when that list was computed " +
      '(absent when there was none one hour ago: the service was not running then, and every previousRank is null)',
  })
  @IsBoolean({ message: 'movement must be true or false' })
  @IsOptional()
  @Transform(({ value }) => (value === '' ? undefined : value === 'true' ? true : value === 'false' ? false : value))
  movement?: boolean;
}

/** Query of GET /views/top-k. */
export class TopKQuery extends TopKStreamQuery {
  @ApiPropertyOptional({
    type: 'string',
    format: 'date-time',
    // No example value: Swagger UI would fill it in, and "Try it out" would ask for a past window unawares.
    description:
      'hour, day and month only: the window that contains this instant (RFC 3339, e.g. 2026-12-02T14:30:00Z), e.g. yesterday or 14:00 last Tuesday, as long as its counts are kept ' +
      '(RETENTION_HOUR_DAYS for hour and day, RETENTION_MONTH_MONTHS for month). A window that ended more than LATE_TOLERANCE_MS ago, once ingestion ' +
      'has caught up with that instant, is final: computed once, stored, and the same bytes every time (X-Window-Final: true). ' +
      'An instant of the current window gives the current list.',
  })
  @IsRFC3339({ message: 'at must be an RFC 3339 instant, e.g. 2026-12-02T14:30:00Z' })
  @IsOptional()
  @Transform(({ value }) => (value === '' ? undefined : value))
  at?: string;
}

/**
 * The instant of the query parameter `name`, an RFC 3339 text (already validated), or a 400 naming it when JavaScript
 * cannot represent it (e.g. 23:59:60). Undefined when the parameter is absent.
 */
export function parseInstant(name: string, text: string): Date;
export function parseInstant(name: string, text: string | undefined): Date | undefined;
export function parseInstant(name: string, text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const instant = new Date(text.toUpperCase().replace(' ', 'T'));
  if (Number.isNaN(instant.getTime()))
    throw new BadRequestException([`${name} must be an RFC 3339 instant, e.g. 2026-12-02T14:30:00Z (got ${JSON.stringify(text)})`]);
  return instant;
}

/** One entry of a top-K list. */
export class RankedVideoDto {
  @ApiProperty({ example: 'dQw4w9WgXcQ', description: 'The video id as it arrived in the view events' })
  videoId!: string;

  @ApiProperty({ type: 'integer', example: 1234567, description: 'Views of the video in the window' })
  views!: number;

  @ApiPropertyOptional({
    type: 'integer',
    nullable: true,
    example: 3,
    description: 'Only with movement=true: its 1-based rank in the list compared with, or null when it was not in its top 1000',
  })
  previousRank?: number | null;
}
