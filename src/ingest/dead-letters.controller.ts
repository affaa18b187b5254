import {
  BadRequestException,
  Controller,
  Get,
  Header,
  NotFoundException,
  Param,
  ParseIntPipe,
  Query,
  Res,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsISO8601, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import type { FastifyReply } from 'fastify';
import { IngestTokenGuard, IngestTokenUnauthorized } from '../auth/guards';
import { ErrorDto } from '../http/error.dto';
import { DEAD_LETTER_PAGE_BYTES, DEAD_LETTER_PREVIEW_CHARS, DeadLetterKey, DeadLettersRepository } from './dead-letters.repository';

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

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 10_000,
    default: 100,
    description: `Letters per page at most; a page also ends past ${DEAD_LETTER_PAGE_BYTES} bytes`,
  })
  @Min(1, { message: 'limit must be between 1 and 10000' })
  @Max(10_000, { message: 'limit must be between 1 and 10000' })
  @IsInt({ message: 'limit must be an integer' })
  @Transform(toInt)
  @IsOptional()
  limit?: number;

  @ApiPropertyOptional({ description: 'Continue after the previous page: the value of its X-Next-Cursor header' })
  @Matches(/^[A-Za-z0-9_-]{1,400}$/, { message: 'cursor must be the X-Next-Cursor value of a previous page' })
  @IsOptional()
  cursor?: string;
}

export class DeadLetterDto {
  @ApiProperty({ example: '2026-11-28T03:00:00.123Z' }) received_at!: string;
  @ApiProperty({ example: 'video-views' }) topic!: string;
  @ApiProperty({ example: 2 }) partition!: number;
  @ApiProperty({ example: 1234 }) offset!: number;
  @ApiProperty({ example: 'ts is more than a day in the future' }) error!: string;
  @ApiProperty({
    example: '{"video_id":"abc","ts":"1895822862500"}',
    description: `The Kafka message if it could not be parsed, else the row as read; its first ${DEAD_LETTER_PREVIEW_CHARS} characters`,
  })
  raw_message!: string;
  @ApiProperty({ example: 40, description: 'Size of the whole payload in bytes' }) raw_bytes!: number;
  @ApiProperty({ example: false, description: 'raw_message is cut: GET /dead-letters/{partition}/{offset}/raw has it whole' })
  truncated!: boolean;
}

const encodeCursor = (key: DeadLetterKey) =>
  Buffer.from(JSON.stringify([key.received_at, key.topic, key.partition, key.offset])).toString('base64url');

function decodeCursor(cursor: string): DeadLetterKey {
  try {
    const [received_at, topic, partition, offset] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (
      typeof received_at === 'string' &&
      !Number.isNaN(Date.parse(received_at)) &&
      typeof topic === 'string' &&
      Number.isSafeInteger(partition) &&
      Number.isSafeInteger(offset)
    ) {
      return { received_at, topic, partition: partition as number, offset: offset as number };
    }
  } catch {
    // reported below
  }
  throw new BadRequestException(['cursor must be the X-Next-Cursor value of a previous page']);
}

/** GET /dead-letters: what ingestion set aside, for operators (bearer token as for POST /views). */
@ApiTags('ingest')
@ApiBearerAuth()
@UseGuards(IngestTokenGuard)
@Controller('dead-letters')
export class DeadLettersController {
  constructor(private readonly repository: DeadLettersRepository) {}

  @Get()
  @ApiOperation({
    operationId: 'listDeadLetters',
    summary: 'Messages and rows that were not counted, newest first, with why and where they came from',
    description: `One page at a time: at most \`limit\` letters and about ${DEAD_LETTER_PAGE_BYTES} bytes, payloads cut to ${DEAD_LETTER_PREVIEW_CHARS} characters. X-Next-Cursor (and a Link header) give the next page.`,
  })
  @ApiOkResponse({
    type: [DeadLetterDto],
    headers: {
      'X-Next-Cursor': { description: 'Present when more letters follow: pass it as `cursor`', schema: { type: 'string' } },
      Link: { description: 'The next page, rel="next"', schema: { type: 'string' } },
    },
    example: [
      {
        received_at: '2026-11-28T03:00:00.123Z',
        topic: 'video-views',
        partition: 2,
        offset: 1234,
        error: 'ts is more than a day in the future',
        raw_message: '{"video_id":"abc","ts":"2027-01-01T00:00:00Z"}',
        raw_bytes: 46,
        truncated: false,
      },
    ],
  })
  @ApiBadRequestResponse({
    type: ErrorDto,
    example: { statusCode: 400, message: ['limit must be between 1 and 10000'], error: 'Bad Request' },
    description: 'A parameter is invalid; the message names it',
  })
  @IngestTokenUnauthorized()
  async list(@Query() query: DeadLettersQuery, @Res({ passthrough: true }) reply: FastifyReply): Promise<DeadLetterDto[]> {
    const limit = query.limit ?? 100;
    const { letters, next } = await this.repository.page({
      since: query.since,
      error: query.error,
      limit,
      after: query.cursor ? decodeCursor(query.cursor) : undefined,
    });
    if (next) {
      const cursor = encodeCursor(next);
      const params = new URLSearchParams({
        ...(query.since ? { since: query.since } : {}),
        ...(query.error ? { error: query.error } : {}),
        limit: String(limit),
        cursor,
      });
      reply.header('X-Next-Cursor', cursor);
      reply.header('Link', `</dead-letters?${params}>; rel="next"`);
    }
    return letters;
  }

  @Get(':partition/:offset/raw')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  @ApiOperation({ operationId: 'getDeadLetterPayload', summary: 'One dead letter of the views topic, whole: its raw payload' })
  @ApiOkResponse({
    description: 'The payload as it was set aside',
    content: { 'text/plain': { schema: { type: 'string' }, example: '{"video_id":"abc","ts":"2027-01-01T00:00:00Z"}' } },
  })
  @ApiBadRequestResponse({
    type: ErrorDto,
    example: { statusCode: 400, message: ['partition must be an integer'], error: 'Bad Request' },
    description: 'partition or offset is not an integer of 0 or more; the message names it',
  })
  @ApiNotFoundResponse({
    type: ErrorDto,
    example: { statusCode: 404, message: 'no dead letter at partition 2, offset 1234', error: 'Not Found' },
    description: 'No dead letter at that partition and offset',
  })
  @IngestTokenUnauthorized()
  async raw(
    @Param('partition', new ParseIntPipe({ exceptionFactory: () => new BadRequestException(['partition must be an integer']) }))
    partition: number,
    @Param('offset', new ParseIntPipe({ exceptionFactory: () => new BadRequestException(['offset must be an integer']) })) offset: number,
  ): Promise<string> {
    if ([partition, offset].some((n) => n < 0 || !Number.isSafeInteger(n)))
      throw new BadRequestException(['partition and offset must be integers of 0 or more']);
    const payload = await this.repository.raw(partition, offset);
    if (payload === undefined) throw new NotFoundException(`no dead letter at partition ${partition}, offset ${offset}`);
    return payload;
  }
}
