import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsDefined,
  IsNotEmpty,
  IsObject,
  IsString,
  ValidateIf,
  ValidateNested,
} from 'class-validator';

/** Events per POST /views at most (the body is also capped at 1 MiB). */
export const MAX_BATCH_EVENTS = 10_000;

/** One view, as producers write it to Kafka. */
export class ViewEventDto {
  @ApiProperty({ example: 'dQw4w9WgXcQ', description: 'Video id, 1 to 256 UTF-8 bytes' })
  @IsNotEmpty({ message: '$property must not be empty' })
  @IsString({ message: '$property must be a string' })
  @IsDefined({ message: '$property is required' })
  video_id!: string;

  @ApiProperty({
    oneOf: [
      { type: 'integer', example: 1795822862500 },
      { type: 'string', format: 'date-time', example: '2026-11-27T23:41:02.5Z' },
    ],
    description: 'When the view happened: epoch milliseconds, or an RFC 3339 time; at most a day ahead, at most MAX_EVENT_AGE_DAYS old',
  })
  @ValidateIf((_, value) => typeof value !== 'number')
  @IsString({ message: '$property must be epoch milliseconds or an RFC 3339 date-time' })
  @IsDefined({ message: '$property is required' })
  ts!: string | number;
}

/** Body of POST /views. */
export class ViewBatchDto {
  @ApiProperty({ type: [ViewEventDto], minItems: 1, maxItems: MAX_BATCH_EVENTS })
  @ValidateNested({ each: true })
  @Type(() => ViewEventDto)
  // ValidateNested alone lets an array element that is itself an array through (found by the fuzz test).
  @IsObject({ each: true, message: 'views must hold only view event objects' })
  @ArrayMaxSize(MAX_BATCH_EVENTS, { message: `views must hold at most ${MAX_BATCH_EVENTS} events` })
  @ArrayMinSize(1, { message: 'views must hold at least one event' })
  @IsArray({ message: 'views must be an array of view events' })
  @IsDefined({ message: 'views is required' })
  views!: ViewEventDto[];
}

export class AcceptedDto {
  @ApiProperty({ example: 2, description: 'Events accepted: all are on the Kafka topic, acknowledged by every in-sync replica' })
  accepted!: number;
}
