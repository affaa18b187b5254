// What both series endpoints (one video's, many videos') do around the read: the range asked for or a 400 naming its
// parameter, and the answer with its Cache-Control or a 503 to retry.
import { BadRequestException, ServiceUnavailableException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { finalCacheControl } from '../top-k/top-k.headers';
import { parseInstant } from '../top-k/top-k.query';
import { Grain, SeriesRange } from './series';
import { VideoSeriesQuery } from './video-series.dto';
import { VideoSeriesService } from './video-series.service';

/** Reads the range the query asks for, or throws the 400 naming the parameter; sets the answer's Cache-Control. */
export async function answerSeries<T extends { final: boolean }>(
  service: VideoSeriesService,
  query: VideoSeriesQuery,
  reply: FastifyReply,
  readKey: boolean,
  read: (grain: Grain, range: SeriesRange) => Promise<T>,
): Promise<T> {
  const grain = query.grain ?? 'minute';
  const request = service.request(grain, parseInstant('from', query.from), parseInstant('to', query.to));
  if (request.kind === 'invalid') throw new BadRequestException([request.reason]);
  try {
    const answer = await read(grain, request);
    reply.header('Cache-Control', finalCacheControl(answer.final, readKey));
    return answer;
  } catch (error) {
    // The request was fine: not a 500 but a 503 to retry.
    reply.header('Retry-After', '5');
    throw new ServiceUnavailableException(`the views of ${grain}s cannot be read now (${(error as Error).message.split('\n')[0]}); retry`);
  }
}
