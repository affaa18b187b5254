// What people see, in headless Chromium, over real Kafka and real embedded ClickHouse: Swagger UI's "Try it out"
// on the top-K endpoint returns the list, and the leaderboard page renders every window and follows new views.
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Browser } from 'playwright-core';
import { ClickHouseService } from '../src/clickhouse/clickhouse.service';
import { PrecomputeService } from '../src/top-k/precompute.service';
import { isolated, ManualClock, startApp, waitFor } from './support/app';
import { launchChromium, screenshot } from './support/browser';
import { produce, uniqueName } from './support/kafka';
import { expectedTopK, generateStream, toMessages } from './support/stream';
import { ingestStatus } from './support/ingest-status';

const MINUTE = 60_000;

describe('Swagger UI and the leaderboard page in Chromium (real Kafka, real ClickHouse)', () => {
  const name = uniqueName('browser');
  const clock = new ManualClock(new Date());
  const events = generateStream({
    seed: 5,
    views: 4000,
    videos: 150,
    segments: [{ from: Date.now() - 10 * MINUTE, to: Date.now(), weight: 1 }],
  });
  let app: NestFastifyApplication;
  let browser: Browser;
  let url: string;

  beforeAll(async () => {
    ({ app } = await startApp({ ...isolated(name) }, clock));
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
    await produce(name, toMessages(events, 100));
    await waitFor('all views counted', async () => (await ingestStatus(app)).viewsCounted === events.length);
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
    const expected = expectedTopK(events, 3);
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
    page.on('request', (r) => void (r.url().includes('/views/') && requested.push(new URL(r.url()).pathname + new URL(r.url()).search)));
    await page.goto(url);
    const firstVideo = (window: string) => page.locator(`section[data-window="${window}"] tbody tr:first-child td.video`);
    // The page's first round of requests. Waits use locators: the page's content security policy forbids the eval
    // that a string predicate of waitForFunction needs.
    await page.locator('body[data-updates]:not([data-updates="0"])').waitFor();
    const top = expectedTopK(events, 1)[0];
    for (const window of ['last-hour', 'hour', 'day', 'month', 'all-time']) {
      expect({ window, video: await firstVideo(window).innerText() }).toEqual({ window, video: top.videoId });
    }
    expect(await page.locator('section[data-window="all-time"] tbody tr').count()).toBe(10);

    // A burst for a new video: once ingested and refreshed, the page shows it on top without a reload.
    const burst = Array.from({ length: top.views + 50 }, () => JSON.stringify({ video_id: 'breaking-news', ts: Date.now() }));
    await produce(name, burst);
    await waitFor('the burst counted', async () => (await ingestStatus(app)).viewsCounted === events.length + burst.length);
    await app.get(PrecomputeService).refresh();
    await firstVideo('all-time')
      .filter({ hasText: /^breaking-news$/ })
      .waitFor({ timeout: 15_000 });
    expect(await firstVideo('day').innerText()).toBe('breaking-news');
    expect(await page.locator('section[data-window="day"] tbody tr:first-child td.views').innerText()).toBe(
      (top.views + 50).toLocaleString('en'),
    );
    await screenshot(page, 'leaderboard');
    expect(violations).toEqual([]); // so does the leaderboard, its script a file of its own
    // It followed the streams, one per window, and never polled.
    expect(requested.sort()).toEqual(['all-time', 'day', 'hour', 'last-hour', 'month'].map((w) => `/views/top-k/stream?window=${w}&k=10`));
    // Another k: the page opens new streams, and shows that many.
    await page.locator('#k').selectOption('25');
    await page.locator('section[data-window="all-time"] tbody tr:nth-child(25)').waitFor({ timeout: 10_000 });
    expect(await page.locator('section[data-window="all-time"] tbody tr').count()).toBe(25);
    await page.close();
  });
});
