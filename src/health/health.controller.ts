import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { HealthDto, NOT_READY_EXAMPLE, READY_EXAMPLE } from './health.dto';
import { ReadinessIndicators } from './health.indicators';

/** Terminus documents its generic example ("database", "redis"); these show this service's own checks. */
const NO_CACHE_UNDOCUMENTED = { noCache: true, swaggerDocumentation: false };

/** Probes for orchestrators: liveness (the process answers) and readiness (it can serve current, exact lists). */
@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly readiness: ReadinessIndicators,
  ) {}

  @Get('live')
  @HealthCheck(NO_CACHE_UNDOCUMENTED)
  @ApiOkResponse({ type: HealthDto, description: 'The process answers', example: { status: 'ok', info: {}, error: {}, details: {} } })
  @ApiServiceUnavailableResponse({
    type: HealthDto,
    description: 'Shutting down',
    example: { status: 'shutting_down', info: {}, error: {}, details: {} },
  })
  @ApiOperation({ operationId: 'getLiveness', summary: 'Liveness: 200 while the process answers HTTP' })
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck(NO_CACHE_UNDOCUMENTED)
  @ApiOkResponse({ type: HealthDto, description: 'Ready: every check is up', example: READY_EXAMPLE })
  @ApiServiceUnavailableResponse({ type: HealthDto, description: 'Not ready: a check is down, named in error', example: NOT_READY_EXAMPLE })
  @ApiOperation({
    operationId: 'getReadiness',
    summary:
      'Readiness: not shutting down, ClickHouse reachable, every list fresh (consumer lag and the last-hour watermark are reported, never failed on); 503 with details otherwise',
  })
  ready() {
    return this.health.check([
      () => this.readiness.notShuttingDown(),
      () => this.readiness.clickhouseReachable(),
      () => this.readiness.ingestion(),
      () => this.readiness.listsFresh(),
    ]);
  }
}
