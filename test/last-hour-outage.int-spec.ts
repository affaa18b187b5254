// last-hour through an outage of the service (real processes, real Kafka, real embedded ClickHouse): producers keep
// sending live views (event time = send time) while one service is stopped with SIGTERM and another with SIGKILL for
// LAST_HOUR_OUTAGE_MS (3 minutes by default). Every view reached Kafka on time, so after catch-up last-hour must equal
// the recount of everything on the topic, read back from Kafka with its append times; and every minute of the run must
// be frozen (the watermark past it) with each snapshotted and added once. The SIGKILL run is also killed at random
// moments of its catch-up.
// Both outages run side by side (two topics, two data directories) so the test costs one outage, not two.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { topK } from '../src/top-k/ranking';
import { closingInstant, lastHourWindow, MINUTE_MS, minuteStart } from '../src/top-k/last-hour';
import { waitFor } from './support/app';
import { selectInChild } from './support/chdb-child';
import { ContinuousProducer } from './support/continuous-producer';
import { consumerLag, readTopic, TEST_BROKERS, uniqueName, viewsIn } from './support/kafka';
import { freePort, ServiceProcess } from './support/service-process';

const OUTAGE_MS = Number(process.env.LAST_HOUR_OUTAGE_MS ?? 180_000);
const TOLERANCE_MS = 30_000;

interface Run {
  signal: 'SIGTERM' | 'SIGKILL';
  name: string;
  dataDir: string;
  producer: ContinuousProducer;
  service?: ServiceProcess;
}

const counts = (list: { videoId: string; views: number }[]) => new Map(list.map((e) => [e.videoId, e.views]));

describe(`last-hour after the service was down ${OUTAGE_MS / 1000} s while views kept arriving (real processes, Kafka, ClickHouse)`, () => {
  const runs: Run[] = (['SIGTERM', 'SIGKILL'] as const).map((signal) => {
    const name = uniqueName(`outage_${signal.toLowerCase()}`);
    // 10 rows every 100 ms: about 100 live views/s per topic, over 300 videos.
    return {
      signal,
      name,
      dataDir: mkdtempSync(join(tmpdir(), 'viewrank-outage-')),
      producer: new ContinuousProducer(TEST_BROKERS.join(','), name, 10, 100),
    };
  });
  const start = async (run: Run) => {
    run.service = new ServiceProcess({
      PORT: String(await freePort()),
      CHDB_PATH: run.dataDir,
      CLICKHOUSE_DATABASE: run.name,
      KAFKA_TOPIC: run.name,
      KAFKA_GROUP: run.name,
      REFRESH_INTERVAL_MS: '1000',
      LATE_TOLERANCE_MS: String(TOLERANCE_MS),
      LOG_LEVEL: 'warn',
    });
    await run.service.start({ ready: 'listening' });
  };

  afterAll(async () => {
    for (const run of runs) {
      await run.producer.stop();
      await run.service?.stop('SIGTERM');
      if (!process.env.VIEWRANK_KEEP_TEST_DATA) rmSync(run.dataDir, { recursive: true, force: true });
    }
  });

  it(
    'counts every on-time view, frozen minute by minute, after SIGTERM and after SIGKILL',
    async () => {
      // Topics first (the service creates them with LogAppendTime), then live views.
      await Promise.all(runs.map(start));
      for (const run of runs) run.producer.start();
      await new Promise((r) => setTimeout(r, 20_000));

      for (const run of runs) expect(await run.service!.stop(run.signal)).toBe(run.signal === 'SIGTERM' ? 0 : 'SIGKILL');
      const down = Date.now();
      await new Promise((r) => setTimeout(r, OUTAGE_MS));
      await Promise.all(runs.map(start));
      // The SIGKILL run is killed twice more at random moments of its catch-up (ingesting the backlog, freezing the
      // minutes of the outage), then started for good.
      const killed = runs.find((run) => run.signal === 'SIGKILL')!;
      const delays: number[] = [];
      for (let i = 0; i < 2; i++) {
        delays.push(Math.floor(Math.random() * 3000));
        await new Promise((r) => setTimeout(r, delays[i]));
        expect(await killed.service!.stop('SIGKILL')).toBe('SIGKILL');
        await start(killed);
      }
      // How far the watermark trails while the services catch up (a backlog this small drains in seconds).
      await new Promise((r) => setTimeout(r, 2000));
      const trailing = await Promise.all(runs.map(async (run) => (await run.service!.topK('last-hour', 1)).headers['x-watermark']));
      console.log(
        `down at ${new Date(down).toISOString()}; killed again after ${delays.join(', ')} ms; watermarks 2 s after the restart: ${trailing.join(', ')}`,
      );
      await new Promise((r) => setTimeout(r, 20_000));
      for (const run of runs) await run.producer.stop();
      const lastSent = Date.now();

      for (const run of runs) {
        await waitFor(`${run.name} to consume everything`, async () => (await consumerLag(run.name, run.name)) === 0, 120_000);
        // Every minute that received views is frozen once the watermark has passed the last one.
        const frozenBy = minuteStart(lastSent) + MINUTE_MS;
        await waitFor(
          `${run.name}: the watermark past ${new Date(frozenBy).toISOString()}`,
          async () => {
            const watermark = (await run.service!.topK('last-hour', 1)).headers['x-watermark'];
            return watermark !== undefined && Date.parse(watermark) >= frozenBy;
          },
          3 * MINUTE_MS,
          1000,
        );
        expect(Date.now()).toBeGreaterThanOrEqual(closingInstant(minuteStart(lastSent), TOLERANCE_MS));

        const response = await run.service!.topK('last-hour', 1000);
        const allTime = await run.service!.topK('all-time', 1000);
        expect(response.status).toBe(200);
        const interval = { start: new Date(response.headers['x-window-start']), end: new Date(response.headers['x-window-end']) };
        expect(interval).toEqual(lastHourWindow(new Date(response.headers['x-computed-at'])));

        const views = viewsIn(await readTopic(TEST_BROKERS.join(','), run.name));
        expect(views.length).toBeGreaterThanOrEqual(run.producer.acknowledgedTotal);
        // Every view reached Kafka on time (a send that took longer than the tolerance would show here).
        expect(views.filter((v) => v.appendedAt > closingInstant(minuteStart(v.t), TOLERANCE_MS))).toEqual([]);
        expect(views.every((v) => v.t >= interval.start.getTime() && v.t < interval.end.getTime())).toBe(true);
        const recount = new Map<string, number>();
        for (const v of views) recount.set(v.videoId, (recount.get(v.videoId) ?? 0) + 1);
        // ClickHouse's ingestion is at least once (issue #14): a SIGKILL between a block's write and its offset commit
        // counts that block twice in every window. last-hour must then hold exactly what all-time holds: the on-time
        // views ClickHouse ingested, no fewer and no more. Views counted twice are reported, and allowed only after SIGKILL.
        const ingested = counts(allTime.body as { videoId: string; views: number }[]);
        const countedTwice = [...ingested].reduce((sum, [id, n]) => sum + n - (recount.get(id) ?? 0), 0);
        console.log(`${run.signal}: ${views.length} views on the topic, ${countedTwice} counted twice by ingestion`);
        expect([...recount].filter(([id, n]) => (ingested.get(id) ?? 0) < n)).toEqual([]); // nothing lost
        expect(response.body).toEqual(topK(ingested, 1000));
        if (run.signal === 'SIGTERM') {
          expect(countedTwice).toBe(0);
          expect(response.body).toEqual(topK(recount, 1000));
        }
      }
    },
    OUTAGE_MS + 10 * MINUTE_MS,
  );

  it('snapshotted and added each minute of the run exactly once, and set nothing aside', async () => {
    for (const run of runs) {
      expect(await run.service!.stop('SIGTERM')).toBe(0);
      const rows = selectInChild<{ minute: string; steps: string[]; snapshots: string; frozen: string; counted: string }>(
        run.dataDir,
        run.name,
        `SELECT l.minute AS minute, l.steps AS steps, toString(l.snapshots) AS snapshots, toString(f.frozen) AS frozen, toString(c.counted) AS counted
         FROM (SELECT minute, arraySort(groupUniqArray(toString(step))) AS steps, countIf(step = 'snapshot') AS snapshots
               FROM {db:Identifier}.last_hour_ledger FINAL GROUP BY minute) AS l
         LEFT JOIN (SELECT minute, sum(views) AS frozen FROM {db:Identifier}.last_hour_minutes GROUP BY minute) AS f ON f.minute = l.minute
         LEFT JOIN (SELECT minute, sum(views) AS counted FROM {db:Identifier}.views_by_minute GROUP BY minute) AS c ON c.minute = l.minute
         ORDER BY minute`,
      );
      const withViews = rows.filter((r) => Number(r.counted) > 0);
      expect(withViews.length).toBeGreaterThanOrEqual(Math.floor(OUTAGE_MS / MINUTE_MS) + 1);
      for (const row of rows) {
        // Every minute frozen with all its views: none arrived after its minute closed. Minutes with views are all
        // still in the window; empty minutes from before the run may have left it (and been subtracted) since.
        const steps =
          Number(row.counted) > 0
            ? ['add', 'snapshot']
            : row.steps.includes('subtract')
              ? ['add', 'snapshot', 'subtract']
              : ['add', 'snapshot'];
        expect({
          minute: row.minute,
          steps: row.steps,
          snapshots: Number(row.snapshots),
          missing: Number(row.counted) - Number(row.frozen),
        }).toEqual({
          minute: row.minute,
          steps,
          snapshots: 1,
          missing: 0,
        });
      }
      const [{ state, frozen }] = selectInChild<{ state: string; frozen: string }>(
        run.dataDir,
        run.name,
        `SELECT toString((SELECT sum(views) FROM {db:Identifier}.views_last_hour)) AS state,
                toString((SELECT sum(views) FROM {db:Identifier}.last_hour_minutes)) AS frozen`,
      );
      expect(Number(state)).toBe(Number(frozen));
    }
  });
});
