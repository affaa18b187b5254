// Reads: autocannon against GET /views/top-k at k = 10, 100 and 1000, with the service idle and with a background
// stream being ingested.
import autocannon from 'autocannon';
import { loadgenProcess, sleep, startService } from '../lib/service';
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
}

export const READ_KS = [10, 100, 1000];
export const READ_CONNECTIONS = 10;

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
          const result = await autocannon({
            url: `${bench.service.url}/views/top-k?window=all-time&k=${k}`,
            connections: READ_CONNECTIONS,
            duration: ctx.sizes.readSeconds,
          });
          const run: ReadRun = {
            system: 'viewrank',
            k,
            ingest,
            requestsPerSecond: Math.round(result.requests.average),
            p50Ms: result.latency.p50,
            p99Ms: result.latency.p99,
            maxMs: result.latency.max,
            errors: result.errors + result.non2xx,
          };
          runs.push(run);
          console.log('reads', JSON.stringify(run));
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
