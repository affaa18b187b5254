// Faults during ingest, with real processes, a real broker, a real ZooKeeper and real (embedded) ClickHouse: the
// service killed with SIGKILL at random moments (which kills ClickHouse too), the broker stopped and restarted, and
// ZooKeeper stopped for a while. After each run, every window's list (hour, day, month, all-time, last-hour) is
// compared with a recount of what is on the topic, read back from Kafka: nothing Kafka acknowledged may be lost, and
// with INGEST_GUARANTEE=exactly-once (the default) nothing may be counted twice. At-least-once runs report the views
// they count twice. Sizes: FAULT_KILLS (default 3), FAULT_BROKER_STOPS (default 2), FAULT_ZOOKEEPER_STOP_MS (default
// 30000), FAULT_GUARANTEES (default exactly-once; `npm run bench:faults` runs 20 kills, 10 broker stops and both
// guarantees). FAULT_RESULTS names a JSON file for the figures.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isolated } from './support/app';
import { DedicatedBroker } from './support/broker';
import { ContinuousProducer } from './support/continuous-producer';
import { readTopic, uniqueName, viewsIn } from './support/kafka';
import { random } from './support/stream';
import { freePort, ServiceProcess } from './support/service-process';
import { compareWindows, settledLists, total, WindowFigures, WINDOWS } from './support/window-recount';
import { DedicatedZooKeeper } from './support/zookeeper';

const KILLS = Number(process.env.FAULT_KILLS ?? 3);
const BROKER_STOPS = Number(process.env.FAULT_BROKER_STOPS ?? 2);
const ZOOKEEPER_STOP_MS = Number(process.env.FAULT_ZOOKEEPER_STOP_MS ?? 30_000);
const GUARANTEES = (process.env.FAULT_GUARANTEES ?? 'exactly-once').split(',') as ('exactly-once' | 'at-least-once')[];
const ROWS_PER_MESSAGE = 20;
const TOLERANCE_MS = 5000;
const broker = new DedicatedBroker(9492);
const zookeeper = new DedicatedZooKeeper(2381);

interface Figures {
  guarantee: string;
  fault: string;
  runs: number;
  /** Views Kafka acknowledged to the producer. */
  produced: number;
  /** Views whose send failed: maybe written, maybe not. */
  uncertain: number;
  /** Views on the topic. */
  onTopic: number;
  /** Acknowledged views missing from the topic (never seen: Kafka keeps what it acknowledged). */
  acknowledgedNotOnTopic: number;
  /** On the topic more often than acknowledged: the producer's retries of sends it saw fail. */
  writtenTwiceByProducer: number;
  windows: Record<string, WindowFigures>;
  durationS: number;
}

describe('faults during ingest (real processes, real Kafka, real ZooKeeper, real ClickHouse)', () => {
  const figures: Figures[] = [];
  const dirs: string[] = [];

  const service = async (name: string, dataDir: string, guarantee: string) =>
    new ServiceProcess({
      PORT: String(await freePort()),
      CHDB_PATH: dataDir,
      ...isolated(name),
      KAFKA_BROKERS: broker.brokers,
      INGEST_GUARANTEE: guarantee,
      ZOOKEEPER_HOSTS: zookeeper.hosts,
      LATE_TOLERANCE_MS: String(TOLERANCE_MS),
      REFRESH_INTERVAL_MS: '1000',
      INGEST_POLL_INTERVAL_MS: '1000',
      LOG_LEVEL: 'error',
    });

  /**
   * Waits until ClickHouse consumed everything and every list stopped moving, then compares each window's list with
   * the recount of the topic over that window's interval (last-hour: the views whose message reached Kafka on time).
   */
  async function settleAndCompare(
    guarantee: string,
    fault: string,
    runs: number,
    name: string,
    running: ServiceProcess,
    producer: ContinuousProducer,
    started: number,
  ): Promise<Figures> {
    // The service's lag, not the group's: exactly once, the engine keeps its offsets in Keeper and commits them to the
    // group best effort, so a commit that failed while the broker came back stays behind once the producer has stopped
    // (nothing more is polled to commit). The service counts what ClickHouse wrote as consumed; a stuck engine still
    // shows a lag there.
    await running.consumedEverything(180_000);
    const lists = await settledLists(running, TOLERANCE_MS);
    // The ingestion metric (from ClickHouse's per-minute totals) agrees with the all-time list.
    expect(await running.viewsCounted()).toBe(total(lists[WINDOWS.indexOf('all-time')].body as { videoId: string; views: number }[]));
    expect(await running.stop('SIGTERM')).toBe(0);

    const messages = await readTopic(broker.brokers, name);
    const views = viewsIn(messages).map((v) => v.videoId);
    const onTopic = new Map<string, number>();
    for (const id of views) onTopic.set(id, (onTopic.get(id) ?? 0) + 1);
    let acknowledgedNotOnTopic = 0;
    for (const [id, acked] of producer.acknowledged) acknowledgedNotOnTopic += Math.max(0, acked - (onTopic.get(id) ?? 0));
    const windows = compareWindows(lists, messages, TOLERANCE_MS);
    const result: Figures = {
      guarantee,
      fault,
      runs,
      produced: producer.acknowledgedTotal,
      uncertain: producer.uncertainTotal,
      onTopic: views.length,
      acknowledgedNotOnTopic,
      writtenTwiceByProducer: Math.max(0, views.length - producer.acknowledgedTotal - producer.uncertainTotal),
      windows,
      durationS: Math.round((Date.now() - started) / 1000),
    };
    figures.push(result);
    return result;
  }

  function expectExact(result: Figures): void {
    expect(result.acknowledgedNotOnTopic).toBe(0);
    for (const window of WINDOWS) {
      expect({ window, lost: result.windows[window].lost }).toEqual({ window, lost: 0 });
      if (result.guarantee === 'exactly-once')
        expect({ window, countedTwice: result.windows[window].countedTwice }).toEqual({ window, countedTwice: 0 });
    }
  }

  async function begin(
    prefix: string,
    guarantee: string,
  ): Promise<{ name: string; dataDir: string; running: ServiceProcess; producer: ContinuousProducer }> {
    const name = uniqueName(prefix);
    const dataDir = mkdtempSync(join(tmpdir(), 'viewrank-fault-'));
    dirs.push(dataDir);
    const running = await service(name, dataDir, guarantee);
    await running.start({ ready: 'listening' });
    const producer = new ContinuousProducer(broker.brokers, name, ROWS_PER_MESSAGE);
    producer.start();
    return { name, dataDir, running, producer };
  }

  beforeAll(() => {
    broker.start();
    zookeeper.start();
  }, 180_000);

  afterAll(() => {
    broker.stop();
    zookeeper.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    const lines = figures.map(
      (f) =>
        `${f.guarantee}, ${f.fault}: ${f.runs} runs, ${f.produced} views acknowledged (+${f.uncertain} uncertain), ${f.onTopic} on the topic, ` +
        `${f.writtenTwiceByProducer} written twice by the producer, ${f.durationS} s; ` +
        WINDOWS.map((w) => `${w} ${f.windows[w].counted} counted, lost ${f.windows[w].lost}, twice ${f.windows[w].countedTwice}`).join(
          '; ',
        ),
    );
    console.log(`fault figures\n${lines.join('\n')}`);
    if (process.env.FAULT_RESULTS)
      writeFileSync(process.env.FAULT_RESULTS, `${JSON.stringify({ date: new Date().toISOString(), figures }, null, 2)}\n`);
  });

  describe.each(GUARANTEES)('%s', (guarantee) => {
    it(
      `loses nothing acknowledged when the service is SIGKILLed ${KILLS} times during ingest`,
      async () => {
        const started = Date.now();
        const rnd = random(started % 100_000);
        const run = await begin('faultkill', guarantee);
        let running = run.running;
        for (let i = 0; i < KILLS; i++) {
          await new Promise((r) => setTimeout(r, 1000 + rnd() * 4000));
          expect(await running.stop('SIGKILL')).toBe('SIGKILL');
          await new Promise((r) => setTimeout(r, rnd() * 2000));
          running = await service(run.name, run.dataDir, guarantee);
          await running.start({ ready: 'listening' });
        }
        await new Promise((r) => setTimeout(r, 2000));
        await run.producer.stop();
        const result = await settleAndCompare(guarantee, 'service SIGKILL', KILLS, run.name, running, run.producer, started);
        expect(run.producer.acknowledgedTotal).toBeGreaterThan(1000);
        expectExact(result);
      },
      10 * 60_000 + KILLS * 30_000,
    );

    it(
      `loses nothing acknowledged when the broker is stopped and restarted ${BROKER_STOPS} times during ingest`,
      async () => {
        const started = Date.now();
        const run = await begin('faultbroker', guarantee);
        for (let i = 0; i < BROKER_STOPS; i++) {
          await new Promise((r) => setTimeout(r, 4000));
          broker.stop();
          await new Promise((r) => setTimeout(r, 5000));
          broker.start();
        }
        await new Promise((r) => setTimeout(r, 6000));
        await run.producer.stop();
        const result = await settleAndCompare(guarantee, 'broker stop/start', BROKER_STOPS, run.name, run.running, run.producer, started);
        expect(run.producer.failedSends).toBeGreaterThan(0); // the broker really was away
        expectExact(result);
      },
      10 * 60_000 + BROKER_STOPS * 60_000,
    );

    if (guarantee === 'exactly-once') {
      it(
        `loses nothing and counts nothing twice when ZooKeeper is stopped for ${ZOOKEEPER_STOP_MS / 1000} s during ingest`,
        async () => {
          const started = Date.now();
          const run = await begin('faultzk', guarantee);
          await new Promise((r) => setTimeout(r, 4000));
          zookeeper.stop();
          await new Promise((r) => setTimeout(r, ZOOKEEPER_STOP_MS));
          zookeeper.start();
          await new Promise((r) => setTimeout(r, 6000));
          await run.producer.stop();
          const result = await settleAndCompare(
            guarantee,
            `ZooKeeper stopped ${ZOOKEEPER_STOP_MS / 1000} s`,
            1,
            run.name,
            run.running,
            run.producer,
            started,
          );
          expectExact(result);
        },
        10 * 60_000 + ZOOKEEPER_STOP_MS,
      );
    }
  });
});
