import { BadRequestException, Body, Controller, HttpCode, Inject, Post, Res, ServiceUnavailableException, UseGuards } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { validate } from 'class-validator';
import type { FastifyReply } from 'fastify';
import { ErrorDto, RETRY_AFTER_HEADER } from '../http/error.dto';
import { IngestTokenGuard, IngestTokenUnauthorized } from '../auth/guards';
import { IngestThrottlerGuard } from '../auth/ingest-throttler.guard';
import { Clock } from '../clock/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { MAX_EVENT_AGE_DAYS } from '../clickhouse/migrations';
import { eventProblems, toKafkaMessages, ViewEvent } from './view-events';
import { HttpIngestStats } from './http-ingest.stats';
import { AcceptedDto, ViewBatchDto } from './view-batch.dto';
import { ViewProducer } from '../kafka/view-producer.service';

/** Problems listed in one 400 at most (the rest are of the same kind, and the batch is refused whole). */
const MAX_PROBLEMS = 20;

/** POST /views: HTTP ingest for clients that cannot write to Kafka. The views take the same path as Kafka's. */
@ApiTags('ingest')
@ApiBearerAuth()
@Controller('views')
export class ViewsController {
  constructor(
    private readonly producer: ViewProducer,
    private readonly clock: Clock,
    private readonly stats: HttpIngestStats,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @HttpCode(202)
  @UseGuards(IngestThrottlerGuard, IngestTokenGuard)
  @ApiOperation({
    operationId: 'postViews',
    summary: 'Send a batch of views',
    description:
      'All or nothing: 202 once every event is on the Kafka topic, acknowledged by all in-sync replicas; they count within seconds. ' +
      'A 503 means the batch may or may not be written: retry after Retry-After (a retry after a lost acknowledgement can count a batch twice).',
  })
  @ApiBody({ type: ViewBatchDto })
  @ApiAcceptedResponse({ type: AcceptedDto, example: { accepted: 2 } })
  @ApiResponse({
    status: 413,
    type: ErrorDto,
    example: { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE', error: 'Payload Too Large', message: 'Request body is too large' },
    description: 'The body is over 1 MiB; refused before it is parsed',
  })
  @ApiBadRequestResponse({
    type: ErrorDto,
    example: { statusCode: 400, message: ['views.3.ts is more than a day in the future'], error: 'Bad Request' },
    description: 'The body or an event is invalid; the message names it (views.<i>.<field>)',
  })
  @IngestTokenUnauthorized()
  @ApiResponse({
    status: 429,
    type: ErrorDto,
    example: {
      statusCode: 429,
      message: 'too many requests from this client; retry after Retry-After seconds',
      error: 'Too Many Requests',
    },
    description: 'Too many requests from this client; retry after Retry-After seconds',
    headers: RETRY_AFTER_HEADER,
  })
  @ApiResponse({
    status: 503,
    type: ErrorDto,
    example: { statusCode: 503, message: 'Kafka did not acknowledge the batch (Request timed out); retry', error: 'Service Unavailable' },
    description: 'Kafka did not acknowledge in time; retry after Retry-After seconds',
    headers: RETRY_AFTER_HEADER,
  })
  // The body as parsed (src/http/strict-json.ts), not transformed by the global pipe: a key such as __proto__ must be
  // named by the checks below before class-transformer would copy it onto an instance.
  async ingest(@Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<AcceptedDto> {
    const views = await this.checkedViews(body);
    try {
      await this.producer.send(toKafkaMessages(views, this.config.kafka.format));
    } catch (error) {
      this.stats.failures++;
      reply.header('Retry-After', '5');
      throw new ServiceUnavailableException(`Kafka did not acknowledge the batch (${(error as Error).message}); retry`);
    }
    this.stats.views += views.length;
    return { accepted: views.length };
  }

  /** The batch's views when the batch and every view are good; otherwise a 400 naming each problem (at most 20). */
  private async checkedViews(body: unknown): Promise<ViewEvent[]> {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw new BadRequestException(['the body must be a JSON object with views']);
    const unknown = Object.keys(body).filter((key) => key !== 'views');
    if (unknown.length > 0) throw new BadRequestException(unknown.map((key) => `${key} is not a field of the batch (only views)`));
    // Not plainToInstance: class-transformer would copy each view, and assigning an own __proto__ key sets a prototype.
    const batch = Object.assign(new ViewBatchDto(), { views: (body as { views?: unknown }).views });
    const shape = await validate(batch, { stopAtFirstError: true });
    if (shape.length > 0) throw new BadRequestException(shape.flatMap((e) => Object.values(e.constraints ?? {})));
    const problems = eventProblems(batch.views, this.clock.now(), MAX_EVENT_AGE_DAYS);
    if (problems.length > 0) {
      const more = problems.length > MAX_PROBLEMS ? [`… and ${problems.length - MAX_PROBLEMS} more`] : [];
      throw new BadRequestException([...problems.slice(0, MAX_PROBLEMS), ...more]);
    }
    return batch.views as ViewEvent[];
  }
}
