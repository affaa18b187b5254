// What people see, in headless Chromium, over real Kafka and real embedded ClickHouse: Swagger UI's "Try it out"
// on the top-K endpoint returns the list, the leaderboard page renders every window and follows new views, each row
// with its movement and a chart of its last 60 minutes, and a video's page shows its ranks and its charts.
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Browser } from 'playwright-core';
import { ClickHouseService } from '../src/clickhouse/clickhouse.service';
import { PrecomputeService } from '../src/top-k/precompute.service';
import { tumblingWindow } from '../src/top-k/windows';
import { addBuckets, bucketStart, Grain } from '../src/videos/series';
import { isolated, ManualClock, startApp, waitFor } from './support/app';
import { launchChromium, screenshot } from './support/browser';
import { produce, uniqueName } from './support/kafka';
import { expectedTopK, generateStream, toMessages, ViewEvent } from './support/stream';
import { ingestStatus } from './support/ingest-status';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** What the page shows for a rank and the previous one (public/leaderboard.js), derived here from the recounts. */
function movementText(rank: number, previousRank: number | undefined): string {
  if (previousRank === undefined) return 'new';
  if (previousRank === rank) return '=';
  return `${previousRank > rank ? '▲' : '▼'} ${Math.abs(previousRank - rank)}`;
}

describe('Swagger UI and the leaderboard page in Chromium (real Kafka, real ClickHouse)', () => {
  const name = uniqueName('browser');
  const clock = new ManualClock(new Date());
  const events = generateStream({
    seed: 5,
    views: 4000,
    videos: 150,
    segments: [{ from: Date.now() - 10 * MINUTE, to: Date.now(), weight: 1 }],
  });
  // A few views in the hour and the day before (a different popularity), so that the hour and the day move. Few
  // enough that the most viewed video stays the same in every window.
  const hourStart = tumblingWindow('hour', clock.instant).start.getTime();
  const dayStart = tumblingWindow('day', clock.instant).start.getTime();
  const earlier = generateStream({
    seed: 6,
    views: 600,
    videos: 150,
    segments: [
      { from: hourStart - HOUR, to: hourStart, weight: 1 },
      { from: dayStart - DAY, to: dayStart, weight: 1 },
    ],
  });
  const counted: ViewEvent[] = [...events, ...earlier];
  let app: NestFastifyApplication;
  let browser: Browser;
  let url: string;

  beforeAll(async () => {
    ({ app } = await startApp({ ...isolated(name) }, clock));
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
    await produce(name, toMessages(counted, 100));
    await waitFor('all views counted', async () => (await ingestStatus(app)).viewsCounted === counted.length);
    await app.get(PrecomputeService).refresh();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await app
      .get(ClickHouseService)
      .command('DROP DATABASE IF EXISTS {db:Identifier} SYNC')
      .catch(() => undefined);
    await app.close();
  });

  it('runs "Try it out" on GET /views/top-k in Swagger UI and shows the exact list', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const violations: string[] = [];
    page.on('console', (m) => void (/Content Security Policy/.test(m.text()) && violations.push(m.text())));
    await page.goto(`${url}/docs`);
    await page.locator('.opblock-summary', { has: page.locator('[data-path="/views/top-k"]') }).click();
    await page.getByRole('button', { name: 'Try it out' }).click();
    await page.locator('tr[data-param-name="window"] select').selectOption('day');
    await page.locator('tr[data-param-name="k"] input').fill('3');
    await page.getByRole('button', { name: 'Execute' }).click();
    const body = page.locator('.live-responses-table .response-col_description pre').first();
    await body.waitFor();
    const expected = expectedTopK(counted, 3, tumblingWindow('day', clock.instant));
    expect(JSON.parse(await body.innerText())).toEqual(expected);
    expect(await page.locator('.live-responses-table tbody .response-col_status').first().innerText()).toBe('200');
    await screenshot(page, 'swagger-try-it-out');
    expect(violations).toEqual([]); // Swagger UI works under the content security policy
    await page.close();
  });

  it('renders every window on the leaderboard from their streams and follows a new top video within a few seconds', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 700 } });
    const violations: string[] = [];
    page.on('console', (m) => void (/Content Security Policy/.test(m.text()) && violations.push(m.text())));
    const requested: string[] = [];
    page.on(
      'request',
      (r) => void (r.url().includes('/views/top-k') && requested.push(new URL(r.url()).pathname + new URL(r.url()).search)),
    );
    await page.goto(url);
    const firstVideo = (window: string) => page.locator(`section[data-window="${window}"] tbody tr:first-child td.video`);
    // The page's first round of requests. Waits use locators: the page's content security policy forbids the eval
    // that a string predicate of waitForFunction needs.
    await page.locator('body[data-updates]:not([data-updates="0"])').waitFor();
    const top = expectedTopK(events, 1)[0];
    for (const window of ['last-hour', 'hour', 'day', 'month', 'all-time']) {
      expect({ window, video: await firstVideo(window).innerText() }).toEqual({ window, video: top.videoId });
    }
    const topAllTime = expectedTopK(counted, 1)[0];
    expect(topAllTime.videoId).toBe(top.videoId);
    expect(await page.locator('section[data-window="all-time"] tbody tr').count()).toBe(10);

    // A burst for a new video: once ingested and refreshed, the page shows it on top without a reload.
    const burstAt = Date.now();
    const burst = Array.from({ length: topAllTime.views + 50 }, () => JSON.stringify({ video_id: 'breaking-news', ts: burstAt }));
    await produce(name, burst);
    counted.push(...burst.map(() => ({ videoId: 'breaking-news', t: burstAt })));
    await waitFor('the burst counted', async () => (await ingestStatus(app)).viewsCounted === counted.length);
    await app.get(PrecomputeService).refresh();
    await firstVideo('all-time')
      .filter({ hasText: /^breaking-news$/ })
      .waitFor({ timeout: 15_000 });
    expect(await firstVideo('day').innerText()).toBe('breaking-news');
    expect(await page.locator('section[data-window="day"] tbody tr:first-child td.views').innerText()).toBe(
      (topAllTime.views + 50).toLocaleString('en'),
    );
    expect(violations).toEqual([]); // so does the leaderboard, its script a file of its own
    // It followed the streams, one per window, and never polled.
    expect(requested.sort()).toEqual(
      ['all-time', 'day', 'hour', 'last-hour', 'month'].map((w) => `/views/top-k/stream?window=${w}&k=10&movement=true`),
    );
    // Another k: the page opens new streams, and shows that many.
    await page.locator('#k').selectOption('25');
    await page.locator('section[data-window="all-time"] tbody tr:nth-child(25)').waitFor({ timeout: 10_000 });
    expect(await page.locator('section[data-window="all-time"] tbody tr').count()).toBe(25);
    await page.close();
  });

  it("shows each row's movement and its last 60 minutes, and a video's page its ranks and charts", async () => {
    const page = await browser.newPage({ viewport: { width: 1680, height: 720 } });
    const problems: string[] = [];
    // Any error in the console (a failed request, a script error) or a content security policy violation.
    page.on('console', (m) => {
      if ((m.type() === 'error' && !m.location().url.endsWith('/favicon.ico')) || /Content Security Policy/.test(m.text()))
        problems.push(`${m.text()} (${m.location().url})`);
    });
    page.on('pageerror', (error) => void problems.push(error.message));
    const seriesAsked: string[] = [];
    page.on('request', (request) => {
      const { pathname, searchParams } = new URL(request.url());
      if (pathname.endsWith('/series')) seriesAsked.push(`${pathname} ${searchParams.getAll('videoId').length}`);
    });
    await page.goto(url);
    const rows = (window: string) => page.locator(`section[data-window="${window}"] tbody tr`);
    // hour and day against the previous hour's and day's recount; last-hour and all-time have no list an hour old
    // (the service started minutes ago), so no movement is shown there.
    const now = clock.instant;
    for (const window of ['hour', 'day'] as const) {
      const current = tumblingWindow(window, now);
      const previous = new Map(
        expectedTopK(counted, 1000, tumblingWindow(window, new Date(current.start.getTime() - 1))).map((e, i) => [e.videoId, i + 1]),
      );
      const expected = expectedTopK(counted, 10, current).map((e, i) => `${e.videoId} ${movementText(i + 1, previous.get(e.videoId))}`);
      const shown = async () =>
        (await rows(window).all()).length === 10
          ? Promise.all(
              (await rows(window).all()).map(
                async (r) => `${await r.locator('td.video').innerText()} ${await r.locator('td.move').innerText()}`,
              ),
            )
          : [];
      await waitFor(
        `the ${window} rows with their movement`,
        async () => JSON.stringify(await shown()) === JSON.stringify(expected),
        15_000,
        200,
      );
      // The hour and the day really moved: some rows went up or down, not all are new.
      expect(expected.some((text) => /[▲▼]/.test(text))).toBe(true);
    }
    for (const window of ['last-hour', 'all-time']) expect(await rows(window).locator('td.move').first().innerText()).toBe('');
    // Every row's chart: the video's views in each of the last 60 minutes, as recounted.
    const recountSeries = (videoId: string, grain: Grain, buckets: number) => {
      const last = bucketStart(grain, now);
      const first = addBuckets(grain, last, -(buckets - 1));
      return Array.from({ length: buckets }, (_, i) => {
        const start = addBuckets(grain, first, i).getTime();
        const end = addBuckets(grain, first, i + 1).getTime();
        return counted.filter((e) => e.videoId === videoId && e.t >= start && e.t < end).length;
      }).join(',');
    };
    for (const window of ['all-time', 'hour']) {
      for (const row of await rows(window).all()) {
        const videoId = await row.locator('td.video').innerText();
        await row.locator(`td.spark canvas[data-views="${recountSeries(videoId, 'minute', 60)}"]`).waitFor({ timeout: 15_000 });
      }
    }
    // The charts came many videos a request (GET /views/series), at most one request per window's first list, none
    // one video each: the page's streams hold five of the browser's six connections to the service.
    const shownVideos = new Set(await page.locator('td.video').allInnerTexts());
    const asked = seriesAsked.map((line) => line.split(' '));
    expect(asked.every(([path]) => path === '/views/series')).toBe(true);
    expect(asked.length).toBeLessThanOrEqual(5);
    expect(asked.reduce((sum, [, ids]) => sum + Number(ids), 0)).toBe(shownVideos.size);
    await screenshot(page, 'leaderboard');

    // A click on the top video opens its page: its count and rank in every window, and its views at each grain.
    const top = expectedTopK(counted, 1)[0];
    await page.locator('section[data-window="all-time"] tbody tr:first-child td.video a').click();
    await page.waitForURL(`${url}/video?id=${top.videoId}`);
    await page.locator('body[data-loads]').waitFor();
    const allTime = page.locator('#ranks tr[data-window="all-time"] td');
    expect(await allTime.allInnerTexts()).toEqual(['All time', top.views.toLocaleString('en'), '#1']);
    for (const [grain, buckets] of [
      ['minute', 60],
      ['hour', 48],
      ['day', 35],
    ] as const) {
      expect({ grain, views: await page.locator(`section[data-grain="${grain}"]`).getAttribute('data-views') }).toEqual({
        grain,
        views: recountSeries(top.videoId, grain, buckets),
      });
    }
    await screenshot(page, 'video');
    await page.locator('#back').click();
    await page.waitForURL(`${url}/`);
    expect(problems).toEqual([]);
    await page.close();
  });
});
