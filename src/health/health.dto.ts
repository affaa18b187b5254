// The body of /health/live and /health/ready (@nestjs/terminus's format), with examples of this service's checks.
import { ApiProperty, ApiPropertyOptional, type SchemaObject } from '@nestjs/swagger';

/** Each check by name: its status and what it reports. */
const CHECKS = {
  type: 'object' as const,
  additionalProperties: {
    type: 'object',
    required: ['status'],
    properties: { status: { type: 'string', enum: ['up', 'down'] } },
    additionalProperties: true,
  } as SchemaObject,
};

export const READY_EXAMPLE = {
  status: 'ok',
  info: {
    shutdown: { status: 'up' },
    clickhouse: { status: 'up', mode: 'embedded', latencyMs: 1 },
    ingestion: {
      status: 'up',
      consumerLag: 0,
      lagReadAt: '2026-12-03T14:41:05.000Z',
      lastHourWatermark: '2026-12-03T14:41:00.000Z',
      lastHourWatermarkLagSeconds: 5,
    },
    topk: { status: 'up', ageSeconds: { hour: 0, day: 0, month: 0, 'all-time': 0, 'last-hour': 0 } },
  },
  error: {},
  details: {},
};

export const NOT_READY_EXAMPLE = {
  status: 'error',
  info: { clickhouse: { status: 'up', mode: 'embedded', latencyMs: 1 } },
  error: { shutdown: { status: 'down', error: 'shutting down: draining requests before closing' } },
  details: {},
};

export class HealthDto {
  @ApiProperty({ enum: ['ok', 'error', 'shutting_down'], example: 'ok' })
  status!: string;

  @ApiPropertyOptional({ ...CHECKS, description: 'The checks that passed', nullable: true })
  info?: Record<string, { status: string }>;

  @ApiPropertyOptional({ ...CHECKS, description: 'The checks that failed, each with its error', nullable: true })
  error?: Record<string, { status: string }>;

  @ApiProperty({ ...CHECKS, description: 'Every check, passed or failed' })
  details!: Record<string, { status: string }>;
}
