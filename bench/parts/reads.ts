// Reads: autocannon against GET /views/top-k at k = 10, 100 and 1000, with the service idle and with a background
// stream being ingested; and GET /videos/{videoId}/views while ingesting.
import autocannon from 'autocannon';
import { videoId } from '../loadgen';
import { loadgenProcess, sleep, startService } from '../lib/service';
import { loopDelayP99Ms, quantileBoundMs, routeBuckets } from '../lib/service-metrics';
import { BenchContext } from './context';

export interface ReadRun {
  system: string;
  k: number;
  ingest: boolean;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  errors: number;
  /**
   * viewrank only, from its own /metrics over the run: the route's p99 inside the service (request received to answer
   * sent; the bound of the histogram bucket that holds it), and the event loop's p99 delay. Against the client's p99,
   * they tell the time a request was handled from the time it waited for the event loop.
   */
  service?: { handledP99Ms?: number; loopDelayP99Ms?: number };
}

export const READ_KS = [10, 100, 1000];
export const READ_CONNECTIONS = 10;
/** The system names of the per-video runs (GET /videos/{videoId}/views), apart from the top-K rows: a few hot ids
 * asked again and again (answers reused for a refresh period), and every request a different id (each a lookup). */
export const VIDEO_READS = 'viewrank, one video, 11 hot ids';
export const VIDEO_LOOKUPS = 'viewrank, one video, every id new';
/** The routes as the service's request histogram labels them. */
const TOP_K_ROUTE = '/views/top-k';
const VIDEO_ROUTE = '/videos/:videoId/views';
export const isVideoRun = (system: string) => system === VIDEO_READS || system === VIDEO_LOOKUPS;

/**
 * Runs autocannon and returns its figures as a ReadRun. `paths`: the requests, cycled through in order by every
 * connection (one path: the same request throughout).
 */
async function measure(
  ctx: BenchContext,
  url: string,
  paths: string[],
  row: Pick<ReadRun, 'system' | 'k' | 'ingest'>,
  route: string,
): Promise<ReadRun> {
  const metrics = async () => (await fetch(`${url}/metrics`)).text();
  // Also resets the event loop's delay histogram, so that the reading after the run covers the run alone.
  const before = await metrics();
  let next = 0;
  const result = await autocannon({
    url,
    connections: READ_CONNECTIONS,
    duration: ctx.sizes.readSeconds,
    requests: [{ setupRequest: (request) => ({ ...request, path: paths[next++ % paths.length] }) }],
  });
  const run: ReadRun = {
    ...row,
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    errors: result.errors + result.non2xx,
  };
  const after = await metrics();
  run.service = {
    handledP99Ms: quantileBoundMs(routeBuckets(before, route), routeBuckets(after, route), 0.99),
    loopDelayP99Ms: loopDelayP99Ms(after),
  };
  console.log('reads', JSON.stringify(run));
  return run;
}

/**
 * The top-K reads at every k, idle and while ingesting; and, while ingesting, one video's numbers (k = 0 in the row),
 * over videos from the head of the catalogue to its tail and ids never viewed, so that lookups hit and miss.
 */
export async function viewrankReads(ctx: BenchContext): Promise<ReadRun[]> {
  const bench = await startService({});
  const runs: ReadRun[] = [];
  try {
    for (const ingest of [false, true]) {
      const background = ingest
        ? loadgenProcess({
            topic: bench.topic,
            rate: ctx.sizes.backgroundRate,
            duration: 3600,
            videos: ctx.sizes.catalogue,
            skew: ctx.sizes.skew,
            'per-message': 100,
          })
        : undefined;
      // Fill the lists first (with and without ingest, so every k reads a full 1000-long list where there is one).
      if (!ingest) await loadgenProcess({ topic: bench.topic, rate: 0, views: 200_000, videos: 5_000, skew: 0.5, 'per-message': 100 }).done;
      await sleep(7000);
      try {
        for (const k of READ_KS) {
          runs.push(
            await measure(ctx, bench.service.url, [`/views/top-k?window=all-time&k=${k}`], { system: 'viewrank', k, ingest }, TOP_K_ROUTE),
          );
        }
        if (ingest) {
          const ranks = [0, 1, 2, 10, 100, 999, 1000, 5000, ctx.sizes.catalogue - 1];
          const videos = [...ranks.map(videoId), 'never-viewed', 'vid-none'];
          const paths = videos.map((id) => `/videos/${encodeURIComponent(id)}/views`);
          runs.push(await measure(ctx, bench.service.url, paths, { system: VIDEO_READS, k: 0, ingest }, VIDEO_ROUTE));
          // Ids the catalogue holds, each asked once: every request is five key lookups in the engine.
          const once = Array.from({ length: 20_000 }, (_, i) => `/videos/${videoId((i * 7919) % ctx.sizes.catalogue)}/views`);
          runs.push(await measure(ctx, bench.service.url, once, { system: VIDEO_LOOKUPS, k: 0, ingest }, VIDEO_ROUTE));
        }
      } finally {
        background?.stop();
        await background?.done.catch(() => undefined);
      }
    }
  } finally {
    await bench.stop();
  }
  return runs;
}
