import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsDefined } from 'class-validator';
import { MAX_EVENT_AGE_DAYS } from '../clickhouse/migrations';

/** Events per POST /views at most (the body is also capped at 1 MiB). */
export const MAX_BATCH_EVENTS = 10_000;

/**
 * One view, as producers write it to Kafka. Described here for the OpenAPI document; checked by viewProblem
 * (view-events.ts), the one definition both doors share, so that a refusal names the same reason as a dead letter.
 */
export class ViewEventDto {
  @ApiProperty({ example: 'dQw4w9WgXcQ', description: 'Video id: a JSON string of 1 to 256 UTF-8 bytes, counted exactly as sent' })
  video_id!: string;

  @ApiProperty({
    oneOf: [
      { type: 'integer', example: 1795822862500 },
      { type: 'string', format: 'date-time', example: '2026-11-27T23:41:02.5Z' },
    ],
    description:
      'When the view happened: epoch milliseconds (a JSON integer, or up to 16 digits as a string), or an RFC 3339 time; ' +
      `at most a day ahead, at most ${MAX_EVENT_AGE_DAYS} days old`,
  })
  ts!: string | number;
}

/** Body of POST /views: the batch's shape (class-validator); each view is checked by viewProblem. */
export class ViewBatchDto {
  @ApiProperty({ type: [ViewEventDto], minItems: 1, maxItems: MAX_BATCH_EVENTS })
  @ArrayMaxSize(MAX_BATCH_EVENTS, { message: `views must hold at most ${MAX_BATCH_EVENTS} events` })
  @ArrayMinSize(1, { message: 'views must hold at least one event' })
  @IsArray({ message: 'views must be an array of view events' })
  @IsDefined({ message: 'views is required' })
  views!: unknown[];
}

export class AcceptedDto {
  @ApiProperty({ example: 2, description: 'Events accepted: all are on the Kafka topic, acknowledged by every in-sync replica' })
  accepted!: number;
}
