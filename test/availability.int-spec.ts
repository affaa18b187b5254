// Stored snapshots and stale-but-available serving (real Kafka, real embedded ClickHouse): a second instance answers
// from the stored lists before its own first refresh, byte for byte like the first; when ClickHouse cannot answer,
// the last good lists are served marked stale, then refused past the limit, and serving recovers with ClickHouse.
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ClickHouseService } from '../src/clickhouse/clickhouse.service';
import { PrecomputeService } from '../src/top-k/precompute.service';
import { isolated, ManualClock, startApp, waitFor } from './support/app';
import { produce, uniqueName } from './support/kafka';
import { generateStream, toMessages } from './support/stream';
import { ingestStatus } from './support/ingest-status';

const MINUTE = 60_000;

describe('snapshots and stale serving (real Kafka, real ClickHouse)', () => {
  const name = uniqueName('avail');
  // Refreshes only when the test asks (after the one at start-up): 10 min period, so "stale" starts at 20 min.
  const env = {
    ...isolated(name),
    REFRESH_INTERVAL_MS: '600000',
  };
  const clock = new ManualClock(new Date());
  const events = generateStream({
    seed: 3,
    views: 5000,
    videos: 300,
    segments: [{ from: Date.now() - 30 * MINUTE, to: Date.now(), weight: 1 }],
  });
  let a: NestFastifyApplication;
  let b: NestFastifyApplication | undefined;
  const get = (app: NestFastifyApplication, window: string) => app.inject({ method: 'GET', url: `/views/top-k?window=${window}&k=1000` });

  beforeAll(async () => {
    ({ app: a } = await startApp(env, clock));
    // The refresh at start-up over (refresh() joins it), before any view: the lists below then differ from its lists
    // in every window, so each is stored. A refresh stores only the lists that changed, and one that saw the whole
    // stream already would leave the stored list at the start-up instant while A serves the later one.
    await a.get(PrecomputeService).refresh();
    await produce(name, toMessages(events, 100));
    await waitFor('all views counted', async () => (await ingestStatus(a)).viewsCounted === events.length);
    // A later instant than the refresh at start-up: two stored lists of one window at one instant would be read back
    // as one.
    clock.instant = new Date(clock.instant.getTime() + 1000);
    await a.get(PrecomputeService).refresh();
  });

  afterAll(async () => {
    await a
      .get(ClickHouseService)
      .command('DROP DATABASE IF EXISTS {db:Identifier} SYNC')
      .catch(() => undefined);
    await b?.close();
    await a.close();
  });

  it('a second instance serves the stored lists at once, byte-identical to the first', async () => {
    ({ app: b } = await startApp({ ...env, REFRESH_INTERVAL_MS: '0' }, clock)); // no refresh of its own
    for (const window of ['last-hour', 'hour', 'day', 'month', 'all-time']) {
      const [fromA, fromB] = [await get(a, window), await get(b, window)];
      expect({ window, status: fromB.statusCode, body: fromB.statusCode === 200 ? '' : fromB.body }).toEqual({
        window,
        status: 200,
        body: '',
      });
      expect(fromB.headers['x-computed-at']).toBe(fromA.headers['x-computed-at']);
      expect(fromB.body).toBe(fromA.body);
    }
    // And after both refresh at the same instant.
    await Promise.all([a.get(PrecomputeService).refresh(), b.get(PrecomputeService).refresh()]);
    for (const window of ['last-hour', 'hour', 'all-time']) expect((await get(b, window)).body).toBe((await get(a, window)).body);
  });

  it('keeps serving the last good lists when ClickHouse cannot answer, says so, and recovers', async () => {
    const clickhouse = a.get(ClickHouseService);
    const good = await get(a, 'all-time');
    expect(good.headers['age']).toBe('0');
    expect(good.headers['x-stale']).toBeUndefined();

    // Make the tables the refresh reads disappear (a rename: the materialized views keep writing into them).
    const away = (table: string) => clickhouse.command(`RENAME TABLE {db:Identifier}.${table} TO {db:Identifier}.${table}_away`);
    const back = (table: string) => clickhouse.command(`RENAME TABLE {db:Identifier}.${table}_away TO {db:Identifier}.${table}`);
    for (const table of ['views_total', 'views_by_hour', 'views_last_hour']) await away(table);
    try {
      clock.instant = new Date(clock.instant.getTime() + 21 * MINUTE);
      await expect(a.get(PrecomputeService).refresh()).rejects.toThrow();
      const stale = await get(a, 'all-time');
      expect(stale.statusCode).toBe(200);
      expect(stale.body).toBe(good.body);
      expect(stale.headers['x-stale']).toBe('true');
      expect(stale.headers['age']).toBe(String(21 * 60));

      clock.instant = new Date(clock.instant.getTime() + 2 * 60 * MINUTE);
      await expect(a.get(PrecomputeService).refresh()).rejects.toThrow();
      const refused = await get(a, 'all-time');
      expect(refused.statusCode).toBe(503);
      expect(refused.json().message).toMatch(/beyond the 7200 s limit: refreshes are failing \(last refresh error: .*views_/);
    } finally {
      for (const table of ['views_total', 'views_by_hour', 'views_last_hour']) await back(table);
    }
    await a.get(PrecomputeService).refresh();
    const recovered = await get(a, 'all-time');
    expect(recovered.statusCode).toBe(200);
    expect(recovered.headers['age']).toBe('0');
    expect(recovered.body).toBe(good.body);
  });
});
