// last-hour while ingestion falls minutes behind, with nothing stopped (real process, real Kafka, real ClickHouse):
// a backlog larger than the engine drains in a minute lands on the topic at once, while marker views are produced
// live through it. The markers reached Kafka on time, so once ingestion has caught up their last-hour counts must be
// complete, and the whole list must equal the recount of the topic. Meanwhile the watermark trails the clock by
// minutes, which shows in X-Watermark. The engine reads one message per block here (KAFKA_MAX_BLOCK_SIZE=1), so a
// backlog of minutes is thousands of messages, not the gigabytes it would be at full speed. The backlog is sized from
// the drain rate measured first: LAST_HOUR_BACKLOG_S seconds of it (150 s by default).
import { Kafka, logLevel } from 'kafkajs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { topK } from '../src/top-k/ranking';
import { closingInstant, MINUTE_MS, minuteStart } from '../src/top-k/last-hour';
import { isolated, waitFor } from './support/app';
import { consumerLag, readTopic, TEST_BROKERS, uniqueName, viewsIn } from './support/kafka';
import { freePort, ServiceProcess } from './support/service-process';

const BACKLOG_S = Number(process.env.LAST_HOUR_BACKLOG_S ?? 150);
const TOLERANCE_MS = 30_000;

describe('last-hour while ingestion lags minutes behind the topic (real process, Kafka, ClickHouse)', () => {
  const name = uniqueName('lag');
  const dataDir = mkdtempSync(join(tmpdir(), 'viewrank-lag-'));
  let service: ServiceProcess;

  afterAll(async () => {
    await service?.stop('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'counts every live marker view in last-hour once the backlog has drained, and shows the watermark trailing meanwhile',
    async () => {
      service = new ServiceProcess({
        PORT: String(await freePort()),
        CHDB_PATH: dataDir,
        ...isolated(name),
        KAFKA_MAX_BLOCK_SIZE: '1',
        // The throttle above is the at-least-once engine's. With the exactly-once (Keeper) engine this run did not
        // finish within 12 minutes here (not investigated yet; see README, Delivery guarantees): what is tested is
        // last-hour under lag, which does not depend on how offsets are kept.
        INGEST_GUARANTEE: 'at-least-once',
        REFRESH_INTERVAL_MS: '1000',
        INGEST_POLL_INTERVAL_MS: '500',
        LATE_TOLERANCE_MS: String(TOLERANCE_MS),
        LOG_LEVEL: 'warn',
      });
      await service.start();

      const kafka = new Kafka({ clientId: 'viewrank-lag-test', brokers: TEST_BROKERS, logLevel: logLevel.NOTHING });
      const producer = kafka.producer({ allowAutoTopicCreation: false });
      await producer.connect();
      const markers = new Map<string, number>();
      let producing = true;
      const markerLoop = (async () => {
        for (let i = 0; producing; i++) {
          const id = `marker-${i % 5}`;
          await producer.send({ topic: name, acks: -1, messages: [{ value: JSON.stringify({ video_id: id, ts: Date.now() }) }] });
          markers.set(id, (markers.get(id) ?? 0) + 1);
          await new Promise((r) => setTimeout(r, 500));
        }
      })();

      // The backlog: filler views, on time as well (appended now), in messages of 10. A first part measures how fast
      // the engine drains; the rest brings the backlog to BACKLOG_S seconds of draining.
      let fillers = 0;
      const dump = async (messages: number) => {
        for (let i = 0; i < messages; i += 1000) {
          const batch = Array.from({ length: Math.min(1000, messages - i) }, () => ({
            value: Array.from({ length: 10 }, () => JSON.stringify({ video_id: `filler-${fillers++ % 700}`, ts: Date.now() })).join('\n'),
          }));
          await producer.send({ topic: name, acks: -1, messages: batch });
        }
      };
      const probe = 3000;
      await dump(probe);
      const dumped = Date.now();
      const countedAtDump = await service.viewsCounted();
      await new Promise((r) => setTimeout(r, 20_000));
      const ratePerS = Math.max(1, (await service.viewsCounted()) - countedAtDump) / 10 / 20; // messages of 10 views
      const more = Math.max(0, Math.ceil(ratePerS * BACKLOG_S) - (await consumerLag(name, name)));
      await dump(more);
      const backlogMessages = probe + more;

      // While it drains: the watermark trails the clock by as long as ingestion is behind.
      let maxTrailMs = 0;
      let lagAfterAMinute = -1;
      await waitFor(
        'the backlog to drain',
        async () => {
          const response = await service.topK('last-hour', 1);
          const watermark = response.headers['x-watermark'];
          if (watermark) maxTrailMs = Math.max(maxTrailMs, Date.now() - Date.parse(watermark));
          const lag = await consumerLag(name, name);
          if (lagAfterAMinute < 0 && Date.now() - dumped >= MINUTE_MS) lagAfterAMinute = lag;
          return lag <= 1 && Date.now() - dumped > 10_000;
        },
        20 * MINUTE_MS,
        2000,
      );
      producing = false;
      await markerLoop;
      await producer.disconnect();
      const lastSent = Date.now();
      console.log(
        `drain rate ${ratePerS.toFixed(0)} messages/s; backlog of ${backlogMessages} messages drained in ${Math.round((lastSent - dumped) / 1000)} s; ` +
          `watermark trailed the clock by up to ${Math.round(maxTrailMs / 1000)} s`,
      );
      // The scenario really happened: ingestion was more than a minute behind, and the watermark waited for it.
      expect(lagAfterAMinute).toBeGreaterThan(0);
      expect(maxTrailMs).toBeGreaterThan(2 * MINUTE_MS);

      await waitFor('everything consumed', async () => (await consumerLag(name, name)) === 0, 2 * MINUTE_MS);
      const frozenBy = minuteStart(lastSent) + MINUTE_MS;
      await waitFor(
        'the watermark past the last marker',
        async () => {
          const watermark = (await service.topK('last-hour', 1)).headers['x-watermark'];
          return watermark !== undefined && Date.parse(watermark) >= frozenBy;
        },
        3 * MINUTE_MS,
        1000,
      );

      const list = (await service.topK('last-hour', 1000)).body as { videoId: string; views: number }[];
      const got = new Map(list.map((e) => [e.videoId, e.views]));
      expect([...markers].map(([id]) => [id, got.get(id)])).toEqual([...markers]);

      const views = viewsIn(await readTopic(TEST_BROKERS.join(','), name));
      expect(views.length).toBe(backlogMessages * 10 + [...markers.values()].reduce((a, b) => a + b, 0));
      expect(views.filter((v) => v.appendedAt > closingInstant(minuteStart(v.t), TOLERANCE_MS))).toEqual([]);
      const recount = new Map<string, number>();
      for (const v of views) recount.set(v.videoId, (recount.get(v.videoId) ?? 0) + 1);
      expect(list).toEqual(topK(recount, 1000));
    },
    30 * MINUTE_MS,
  );
});
