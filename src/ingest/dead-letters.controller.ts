import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsISO8601, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { IngestTokenGuard } from '../auth/guards';
import { ClickHouseService } from '../clickhouse/clickhouse.service';
import { toClickHouseDateTime } from '../topk/windows';

const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^[0-9]{1,9}$/.test(value) ? Number(value) : value);

export class DeadLettersQuery {
  @ApiPropertyOptional({ example: '2026-11-28T00:00:00Z', description: 'Only dead letters received at or after this instant (RFC 3339)' })
  @IsISO8601({ strict: true }, { message: 'since must be an RFC 3339 time' })
  @IsOptional()
  since?: string;

  @ApiPropertyOptional({ example: 'ts is', description: 'Only dead letters whose error contains this text' })
  @MaxLength(200, { message: 'error must be at most 200 characters' })
  @IsString({ message: 'error must be text' })
  @IsOptional()
  error?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 10_000, default: 100 })
  @Min(1, { message: 'limit must be between 1 and 10000' })
  @Max(10_000, { message: 'limit must be between 1 and 10000' })
  @IsInt({ message: 'limit must be an integer' })
  @Transform(toInt)
  @IsOptional()
  limit?: number;
}

export class DeadLetterDto {
  @ApiProperty({ example: '2026-11-28T03:00:00.123Z' }) received_at!: string;
  @ApiProperty({ example: 'video-views' }) topic!: string;
  @ApiProperty({ example: 2 }) partition!: number;
  @ApiProperty({ example: 1234 }) offset!: number;
  @ApiProperty({ example: 'ts is more than a day in the future' }) error!: string;
  @ApiProperty({ example: '{"video_id":"abc","ts":"1895822862500"}', description: 'The Kafka message if it could not be parsed, else the row as read' })
  raw_message!: string;
}

/** GET /dead-letters: what ingestion set aside, for operators (bearer token as for POST /views). */
@ApiTags('ingest')
@ApiBearerAuth()
@UseGuards(IngestTokenGuard)
@Controller('dead-letters')
export class DeadLettersController {
  constructor(private readonly clickhouse: ClickHouseService) {}

  @Get()
  @ApiOperation({ summary: 'Messages and rows that were not counted, newest first, with why and where they came from' })
  @ApiOkResponse({ type: [DeadLetterDto] })
  @ApiUnauthorizedResponse({ description: 'Missing or wrong bearer token' })
  async list(@Query() query: DeadLettersQuery): Promise<DeadLetterDto[]> {
    const rows = await this.clickhouse.rows<DeadLetterDto & { partition: string | number; offset: string | number }>('dead_letters', {
      since: toClickHouseDateTime(new Date(query.since ?? 0)),
      error_contains: query.error ?? '',
      limit: query.limit ?? 100,
    });
    return rows.map((r) => ({ ...r, partition: Number(r.partition), offset: Number(r.offset) }));
  }
}
