// Reads: autocannon against GET /views/top-k at k = 10, 100 and 1000, with the service idle and with a background
// stream being ingested; GET /videos/{videoId}/views and GET /videos/{videoId}/views/series while ingesting; and the
// leaderboard page with the top 100 of every window in Chromium, while ingesting.
import autocannon from 'autocannon';
import { launchChromium } from '../../test/support/browser';
import { WINDOWS } from '../../src/top-k/windows';
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
/** The same for one video's views per minute over the last 60 minutes (GET /videos/{videoId}/views/series). */
export const SERIES_READS = 'viewrank, views per minute, 11 hot ids';
export const SERIES_LOOKUPS = 'viewrank, views per minute, every id new';
/** Many videos a request (GET /views/series), as the leaderboard's charts ask: 100 ids, a different 100 each request. */
export const SERIES_MANY = 'viewrank, views per minute, 100 ids a request';
/** The routes as the service's request histogram labels them. */
const TOP_K_ROUTE = '/views/top-k';
const VIDEO_ROUTE = '/videos/:videoId/views';
const SERIES_ROUTE = '/videos/:videoId/views/series';
const SERIES_MANY_ROUTE = '/views/series';
export const isSeriesRun = (system: string) => system === SERIES_READS || system === SERIES_LOOKUPS || system === SERIES_MANY;
export const isVideoRun = (system: string) => system === VIDEO_READS || system === VIDEO_LOOKUPS || isSeriesRun(system);

/**
 * The leaderboard page (GET /#k=100) in headless Chromium: from navigation to every list shown, and to every row's chart
 * drawn; `load`: a fresh browser page, or the same page loaded again (the browser's cache holds the scripts).
 */
export interface PageRender {
  k: number;
  load?: 'first' | 'again';
  /** Rows shown, all windows together, and series requests the page made for their charts. */
  rows: number;
  seriesRequests: number;
  listsShownMs: number;
  chartsDrawnMs: number;
  ingest: boolean;
}

export const PAGE_K = 100;

/** A page whose rows differ from the lists' lengths read just before measured something else: a bench error. */
function expectRows(drawn: number, rows: number): void {
  if (drawn < rows * 0.9) throw new Error(`the page drew ${drawn} charts, the lists hold ${rows} rows`);
}

/** Loads the page in a fresh browser page and again in the same one, and times each by the page's own marks. */
async function pageRender(url: string, ingest: boolean): Promise<PageRender[]> {
  const lengths = await Promise.all(
    WINDOWS.map(async (window) => ((await (await fetch(`${url}/views/top-k?window=${window}&k=${PAGE_K}`)).json()) as unknown[]).length),
  );
  const rows = lengths.reduce((a, b) => a + b, 0);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    let seriesRequests = 0;
    page.on('request', (request) => void (new URL(request.url()).pathname.endsWith('/series') && seriesRequests++));
    // The page marks when it first showed each window's list and every row's chart (performance.mark in
    // leaderboard.js); their times are from the navigation's start, in the browser's own clock.
    const marks = async (): Promise<Record<string, number>> =>
      page.evaluate(() => Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, m.startTime])));
    const renders: PageRender[] = [];
    for (const load of ['first', 'again'] as const) {
      seriesRequests = 0;
      if (load === 'first') await page.goto(`${url}/#k=${PAGE_K}`);
      else await page.reload();
      const deadline = Date.now() + 60_000;
      let seen = await marks();
      while (seen.charts === undefined) {
        if (Date.now() > deadline) throw new Error(`the page did not render within 60 s: ${JSON.stringify(seen)}`);
        await sleep(50);
        seen = await marks();
      }
      expectRows(await page.locator('td.spark canvas[data-drawn-at]').count(), rows);
      const render: PageRender = {
        k: PAGE_K,
        load,
        rows,
        seriesRequests,
        listsShownMs: Math.round(Math.max(...WINDOWS.map((window) => seen[`list ${window}`]))),
        chartsDrawnMs: Math.round(seen.charts),
        ingest,
      };
      console.log('page', JSON.stringify(render));
      renders.push(render);
    }
    return renders;
  } finally {
    await browser.close();
  }
}

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
export async function viewrankReads(ctx: BenchContext): Promise<{ runs: ReadRun[]; page: PageRender[] }> {
  const bench = await startService({});
  const runs: ReadRun[] = [];
  const page: PageRender[] = [];
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
          // Views per minute over the last hour, the page's small charts: each request is one key-range read.
          const series = videos.map((id) => `/videos/${encodeURIComponent(id)}/views/series`);
          runs.push(await measure(ctx, bench.service.url, series, { system: SERIES_READS, k: 0, ingest }, SERIES_ROUTE));
          const seriesOnce = once.map((path) => `${path}/series`);
          runs.push(await measure(ctx, bench.service.url, seriesOnce, { system: SERIES_LOOKUPS, k: 0, ingest }, SERIES_ROUTE));
          // The leaderboard's charts: 100 videos a request, a different 100 each time, head to tail of the catalogue.
          const many = Array.from({ length: 50 }, (_, r) => {
            const ids = Array.from({ length: 100 }, (_, i) => videoId(((r * 100 + i) * 7919) % ctx.sizes.catalogue));
            return `/views/series?${new URLSearchParams(ids.map((id): [string, string] => ['videoId', id]))}`;
          });
          runs.push(await measure(ctx, bench.service.url, many, { system: SERIES_MANY, k: 0, ingest }, SERIES_MANY_ROUTE));
        }
        // The leaderboard page, with the machine idle and while ingesting (Chromium shares its two cores then).
        page.push(...(await pageRender(bench.service.url, ingest)));
      } finally {
        background?.stop();
        await background?.done.catch(() => undefined);
      }
    }
  } finally {
    await bench.stop();
  }
  return { runs, page };
}
