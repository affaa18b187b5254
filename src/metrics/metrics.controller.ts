import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { MetricsService } from './metrics.service';

/** Prometheus scrape endpoint. */
@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @ApiOperation({ operationId: 'getMetrics', summary: 'Prometheus metrics (text exposition format)' })
  @ApiOkResponse({
    description: "The service's metrics (viewrank_*) and prom-client's process and Node.js metrics",
    content: {
      'text/plain; version=0.0.4': {
        schema: { type: 'string' },
        example:
          '# HELP viewrank_views_ingested_total Views counted by ClickHouse since the database was created\n# TYPE viewrank_views_ingested_total counter\nviewrank_views_ingested_total 1234567\n',
      },
    },
  })
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
