// HTTP types every controller shares.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The error body of a 4xx or 5xx answer. */
export class ErrorDto {
  @ApiProperty({ example: 400 })
  statusCode!: number;

  @ApiProperty({ oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }], example: ['k must be between 1 and 1000'] })
  message!: string | string[];

  @ApiProperty({ example: 'Bad Request', description: "The status's reason phrase" })
  error!: string;

  @ApiPropertyOptional({
    example: 'FST_ERR_CTP_BODY_TOO_LARGE',
    description: "Only on answers made by Fastify itself (413): Fastify's error code",
  })
  code?: string;
}

/** The Retry-After header of a 429 or 503, as OpenAPI describes it. */
export const RETRY_AFTER_HEADER = { 'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } } };
