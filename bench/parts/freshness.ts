// Freshness under load: time from producing a view to seeing it in GET /views/top-k, for every window, while the
// load generator keeps a background stream going. A probe is a new video given just enough views, in one message,
// to enter every window's top 1000; the clock runs from its produce call to the first list that holds it. A probe
// stamped just before an hour, day or month ends belongs to the window that ended: once the current list is the next
// window's, the probe is looked for with at= in its own.
import { produce } from '../../test/support/kafka';
import type { TopKResponse } from '../../test/support/service-process';
import { viewsMessage } from '../loadgen';
import { BenchService, loadgenProcess, maximum, percentile, sleep, startService } from '../lib/service';
import { BenchContext, PROBE_TIMEOUT_MS } from './context';
import { RankedVideo } from '../../src/top-k/ranking';
import { isTumbling, WindowName } from '../../src/top-k/windows';
import { EnvironmentVariables } from '../../src/config/app-config';

export const WINDOWS = ['last-hour', 'hour', 'day', 'month', 'all-time'];

export interface FreshnessResult {
  backgroundViewsPerSecond: number;
  probes: number;
  /** The service's settings that bound freshness (its defaults: the run sets neither). */
  refreshIntervalMs?: number;
  flushIntervalMs?: number;
  perWindow: Record<string, { p50Ms: number; p99Ms: number; maxMs: number }>;
  latenciesMs: Record<string, number[]>;
  /** Any answer other than 200 while probing (none expected). */
  answersOtherThan200: string[];
  /** Per window, probes not visible within PROBE_TIMEOUT_MS (the run stops at the first). */
  notVisible?: Record<string, number>;
}

export async function freshness(ctx: BenchContext): Promise<FreshnessResult> {
  const bench = await startService({});
  const background = loadgenProcess({
    topic: bench.topic,
    rate: ctx.sizes.backgroundRate,
    duration: 3600,
    videos: ctx.sizes.catalogue,
    skew: ctx.sizes.skew,
    'per-message': 100,
  });
  const latencies: Record<string, number[]> = Object.fromEntries(WINDOWS.map((w) => [w, []]));
  const notOk: string[] = [];
  const notVisible: Record<string, number> = {};
  try {
    await sleep(15_000); // let the background stream fill the lists first
    for (let probe = 0; probe < ctx.sizes.freshnessProbes; probe++) {
      let threshold = 0;
      for (const window of WINDOWS) {
        const list = (await bench.service.topK(window, 1000)).body as RankedVideo[];
        if (list.length === 1000) threshold = Math.max(threshold, list[999].views);
      }
      const viewedAt = Date.now();
      const videoId = `probe-${probe}-${viewedAt}`;
      // The 1000th place keeps rising while the probe travels (all-time by a third in 5 s, 15 s after the start).
      const views = 3 * threshold + 100;
      const producedAt = performance.now();
      await produce(bench.topic, [viewsMessage(new Array<string>(views).fill(videoId), viewedAt)]);
      const pending = new Set(WINDOWS);
      while (pending.size > 0 && performance.now() - producedAt < PROBE_TIMEOUT_MS) {
        await Promise.all(
          [...pending].map(async (window) => {
            const { status, body } = await probeWindowList(bench.service, window, viewedAt);
            if (status !== 200) {
              notOk.push(`${window}: ${status} ${JSON.stringify(body)}`); // reported below; the probe goes on
              return;
            }
            const list = body as RankedVideo[];
            if (list.some((e) => e.videoId === videoId)) {
              latencies[window].push(Math.round(performance.now() - producedAt));
              pending.delete(window);
            }
          }),
        );
        await sleep(50);
      }
      if (pending.size > 0) {
        // The service has fallen behind the background stream: later probes would wait behind a growing backlog too.
        for (const window of pending) notVisible[window] = (notVisible[window] ?? 0) + 1;
        console.log(`freshness: probe ${videoId} not in ${[...pending].join(', ')} after ${PROBE_TIMEOUT_MS / 1000} s; probing stops`);
        break;
      }
      await sleep(300 + Math.random() * 2000); // land at different points of the refresh cycle
    }
  } finally {
    background.stop();
    await background.done.catch(() => undefined);
    await bench.stop();
  }
  const result: FreshnessResult = {
    backgroundViewsPerSecond: ctx.sizes.backgroundRate,
    probes: ctx.sizes.freshnessProbes,
    refreshIntervalMs: new EnvironmentVariables().REFRESH_INTERVAL_MS,
    flushIntervalMs: new EnvironmentVariables().KAFKA_FLUSH_INTERVAL_MS,
    perWindow: Object.fromEntries(
      WINDOWS.map((w) => [
        w,
        // A probe never seen counts as the timeout: the percentiles then say at least that (shown as "> 120 s").
        notVisible[w]
          ? { p50Ms: percentile([...latencies[w], PROBE_TIMEOUT_MS], 50), p99Ms: PROBE_TIMEOUT_MS, maxMs: PROBE_TIMEOUT_MS }
          : { p50Ms: percentile(latencies[w], 50), p99Ms: percentile(latencies[w], 99), maxMs: maximum(latencies[w]) },
      ]),
    ),
    latenciesMs: latencies,
    answersOtherThan200: notOk,
    notVisible,
  };
  console.log('freshness', JSON.stringify(result.perWindow));
  return result;
}

/**
 * The list a probe viewed at `viewedAt` belongs in: the current one, or, once an hour, day or month has rolled over
 * since (the list's X-Window-Start is later than the view), the list of the window that contains the view.
 */
async function probeWindowList(service: BenchService['service'], window: string, viewedAt: number): Promise<TopKResponse> {
  const current = await service.topK(window, 1000);
  const start = current.headers['x-window-start'];
  const rolledOver = isTumbling(window as WindowName) && start !== undefined && Date.parse(start) > viewedAt;
  return current.status === 200 && rolledOver ? service.topK(window, 1000, new Date(viewedAt)) : current;
}
