import { Controller, Get, Query, Res, ServiceUnavailableException } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiExtraModels,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { OutgoingHttpHeaders } from 'node:http';
import { ReadKeyRequired } from '../auth/guards';
import { ErrorDto, RETRY_AFTER_HEADER } from '../http/error.dto';
import { TopKStreamQuery } from '../top-k/top-k.query';
import { STREAM_HEARTBEAT_MS, TopKStreamHub } from './top-k-stream.service';

const EXAMPLE_EVENT =
  'event: top-k\nid: 2026-12-03T14:41:05.120Z\ndata: {"headers":{"Age":"0","X-Window":"hour","X-Window-Start":"2026-12-03T14:00:00.000Z",' +
  '"X-Window-End":"2026-12-03T15:00:00.000Z","X-Computed-At":"2026-12-03T14:41:05.120Z"},"body":[{"videoId":"dQw4w9WgXcQ","views":1234567}]}\n\n' +
  ': heartbeat\n\n';

/** A refusal is a JSON error, as anywhere else: the stream's media type applies to its 200 only. */
const jsonError = (example: ErrorDto) => ({ 'application/json': { schema: { $ref: getSchemaPath(ErrorDto) }, example } });

@ApiTags('top-k')
@ApiExtraModels(ErrorDto)
@ReadKeyRequired()
@Controller('views')
export class TopKStreamController {
  constructor(private readonly hub: TopKStreamHub) {}

  @Get('top-k/stream')
  @ApiOperation({
    operationId: 'streamTopK',
    summary: 'The top k of a window, pushed every time it changes (Server-Sent Events)',
    description:
      'An event "top-k" with the current list at once, then one each time the first k entries change or the window moves on. Its data is ' +
      `{"headers": {…}, "body": […]}: the window headers and the body GET /views/top-k would answer. A comment line every ${STREAM_HEARTBEAT_MS / 1000} s ` +
      'keeps an idle connection open. With movement=true each entry has previousRank, as in GET /views/top-k, and the headers X-Previous-Computed-At. A client that leaves more than 1 MiB unread is disconnected (reconnect and you get the current list). ' +
      'With READ_API_KEY set, send X-Api-Key: EventSource cannot, so use fetch() and read the body as a stream, as the leaderboard page does.',
  })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description: 'An endless text/event-stream',
    content: { 'text/event-stream': { schema: { type: 'string' }, example: EXAMPLE_EVENT } },
  })
  @ApiBadRequestResponse({
    content: jsonError({ statusCode: 400, message: ['k must be between 1 and 1000'], error: 'Bad Request' }),
    description: 'window or k is missing or invalid; the message names it',
  })
  @ApiServiceUnavailableResponse({
    content: jsonError({
      statusCode: 503,
      message: 'STREAM_MAX_CLIENTS (1000) streams are open; retry later',
      error: 'Service Unavailable',
    }),
    description: 'As many streams are open as STREAM_MAX_CLIENTS allows; retry after Retry-After seconds',
    headers: RETRY_AFTER_HEADER,
  })
  stream(@Query() query: TopKStreamQuery, @Res() reply: FastifyReply): void {
    if (this.hub.full) {
      reply.header('Retry-After', '10');
      throw new ServiceUnavailableException(`STREAM_MAX_CLIENTS (${this.hub.size}) streams are open; retry later`);
    }
    // From here on the connection is the stream's: Fastify sends nothing more. The headers set so far (security
    // headers, request id) go out with the stream's own.
    reply.hijack();
    const out = reply.raw;
    const headers: OutgoingHttpHeaders = Object.fromEntries(Object.entries(reply.getHeaders()).filter(([, value]) => value !== undefined));
    out.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      // Proxies such as nginx would otherwise hold events back in their buffers.
      'x-accel-buffering': 'no',
    });
    out.write('retry: 5000\n\n');
    const client = { window: query.window, k: query.k, movement: query.movement, out };
    out.on('close', () => this.hub.remove(client));
    this.hub.add(client);
  }
}
