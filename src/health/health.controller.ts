import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService } from '@nestjs/terminus';
import { ReadinessIndicators } from './health.indicators';

/** Probes for orchestrators: liveness (the process answers) and readiness (it can serve current, exact lists). */
@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly readiness: ReadinessIndicators,
  ) {}

  @Get('live')
  @HealthCheck()
  @ApiOperation({ summary: 'Liveness: 200 while the process answers HTTP' })
  live() {
    return this.health.check([]);
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({
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
