// last-hour survives SIGKILL of the real service process in the middle of applying minutes: after restarts the
// window is exact and the ledger shows every minute snapshotted and added once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClickHouseService } from '../src/clickhouse/clickhouse.service';
import { loadConfig } from '../src/config/app-config';
import { MINUTE_MS, minuteStart, newestClosedMinute } from '../src/topk/sliding';
import { waitFor } from './support/app';
import { consumerLag, produce, uniqueName } from './support/kafka';
import { freePort, ServiceProcess } from './support/service-process';
import { expectedTopK, generateStream, random, toMessages } from './support/stream';

describe('last-hour after SIGKILL during catch-up (real process, real Kafka, real ClickHouse)', () => {
  const name = uniqueName('kill');
  const dataDir = mkdtempSync(join(tmpdir(), 'viewrank-kill-'));
  const now = Date.now();
  // Views in the minutes of the last 50 minutes that have already closed: the first refresh must catch all of them up.
  const events = generateStream({ seed: 7, views: 20_000, videos: 400, segments: [{ from: now - 50 * MINUTE_MS, to: minuteStart(now) - 2 * MINUTE_MS, weight: 1 }] });
  const env = async (refreshMs: number) => ({
    PORT: String(await freePort()),
    CHDB_PATH: dataDir,
    CLICKHOUSE_DATABASE: name,
    KAFKA_TOPIC: name,
    KAFKA_GROUP: name,
    REFRESH_INTERVAL_MS: String(refreshMs),
    LOG_LEVEL: 'warn',
  });

  // VIEWRANK_KEEP_TEST_DATA=1 keeps the data directory, to inspect a failed run with chDB.
  afterAll(() => (process.env.VIEWRANK_KEEP_TEST_DATA ? console.log(`data kept in ${dataDir} (database ${name})`) : rmSync(dataDir, { recursive: true, force: true })));

  it('ingests everything first, with no refresh at all', async () => {
    const service = new ServiceProcess(await env(0));
    await service.start({ ready: 'listening' });
    await produce(name, toMessages(events, 200));
    await waitFor('the stream to be consumed', async () => (await consumerLag(name, name)) === 0, 120_000);
    expect(await service.stop('SIGTERM')).toBe(0);
  });

  it('is exact after being killed at random moments of its catch-up', async () => {
    const rnd = random(Date.now() % 100_000);
    const kills: number[] = [];
    for (let i = 0; i < 3; i++) {
      const service = new ServiceProcess(await env(1000));
      await service.start({ ready: 'listening' });
      const delay = Math.floor(rnd() * 2500);
      await new Promise((r) => setTimeout(r, delay));
      expect(await service.stop('SIGKILL')).toBe('SIGKILL');
      kills.push(delay);
    }
    const service = new ServiceProcess(await env(1000));
    await service.start();
    let interval: { start: Date; end: Date };
    try {
      const response = await service.topK('last-hour', 1000);
      expect(response.status).toBe(200);
      interval = { start: new Date(response.headers['x-window-start']), end: new Date(response.headers['x-window-end']) };
      expect({ kills, body: response.body }).toEqual({ kills, body: expectedTopK(events, 1000, interval) });
    } finally {
      expect(await service.stop('SIGTERM')).toBe(0);
    }

    // The ledger, read from the same data directory once the service is gone.
    const clickhouse = new ClickHouseService(loadConfig({ CHDB_PATH: dataDir, CLICKHOUSE_DATABASE: name }));
    try {
      const rows = await clickhouse.select<{ minute: string; steps: string[] }>(
        'SELECT minute, arraySort(groupUniqArray(toString(step))) AS steps FROM {db:Identifier}.last_hour_ledger FINAL GROUP BY minute ORDER BY minute',
      );
      const closedThrough = newestClosedMinute(Date.now(), 30_000);
      const applied = rows.filter((r) => Date.parse(r.minute) <= closedThrough - 2 * MINUTE_MS);
      expect(applied.length).toBeGreaterThanOrEqual(55);
      // Minutes that left the window before the answer were also subtracted; a minute or two may leave between the
      // answer and the stop. Every other minute was snapshotted and added.
      const leftBy = (row: { minute: string }) => Date.parse(row.minute) - interval.start.getTime();
      for (const row of applied) {
        const allowed = leftBy(row) < 0 ? ['add,snapshot,subtract'] : leftBy(row) < 2 * MINUTE_MS ? ['add,snapshot', 'add,snapshot,subtract'] : ['add,snapshot'];
        expect({ minute: row.minute, steps: allowed.includes(row.steps.join()) ? 'as allowed' : row.steps.join() }).toEqual({ minute: row.minute, steps: 'as allowed' });
      }
      // Each added minute's frozen views were added once: the state's total equals the frozen minutes' total.
      const [sums] = await clickhouse.select<{ state: string; frozen: string }>(
        `SELECT (SELECT sum(views) FROM {db:Identifier}.views_last_hour) AS state,
                (SELECT sum(views) FROM {db:Identifier}.last_hour_minutes WHERE minute IN
                   (SELECT minute FROM {db:Identifier}.last_hour_ledger WHERE step = 'add' AND minute NOT IN
                      (SELECT minute FROM {db:Identifier}.last_hour_ledger WHERE step = 'subtract'))) AS frozen`,
      );
      expect(Number(sums.state)).toBe(Number(sums.frozen));
    } finally {
      await clickhouse.onApplicationShutdown();
    }
  });
});
