// Faults during ingest, with real processes, a real broker and real (embedded) ClickHouse: the service killed with
// SIGKILL at random moments (which kills ClickHouse too), and the broker stopped and restarted. After each run,
// every count is compared with a recount of what Kafka acknowledged: nothing acknowledged may be lost; views
// counted twice are measured and reported (the Kafka engine delivers at least once).
// FAULT_KILLS sets the number of kills (CI runs the short default); FAULT_RESULTS names a JSON file for the figures.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from './support/app';
import { DedicatedBroker } from './support/broker';
import { ContinuousProducer } from './support/continuous-producer';
import { consumerLagOn, topicMessages, uniqueName } from './support/kafka';
import { random } from './support/stream';
import { freePort, ServiceProcess } from './support/service-process';

const KILLS = Number(process.env.FAULT_KILLS ?? 3);
const ROWS_PER_MESSAGE = 20;
const broker = new DedicatedBroker(9492);

interface Figures {
  fault: string;
  runs: number;
  /** Views Kafka acknowledged to the producer. */
  produced: number;
  /** Views whose send failed: maybe written, maybe not. */
  uncertain: number;
  /** Views actually on the topic (messages × rows per message). */
  onTopic: number;
  counted: number;
  /** Acknowledged views missing from the counts. */
  lost: number;
  /** Counted more often than they are on the topic: ClickHouse's at-least-once delivery. */
  countedTwice: number;
  /** On the topic more often than acknowledged: the producer's retries of sends it saw fail. */
  writtenTwiceByProducer: number;
  durationS: number;
}

/** Acknowledged views missing from the counts, per video, summed. */
function lostViews(counted: Map<string, number>, producer: ContinuousProducer): number {
  let lost = 0;
  for (const [id, acked] of producer.acknowledged) lost += Math.max(0, acked - (counted.get(id) ?? 0));
  return lost;
}

async function figuresOf(fault: string, runs: number, name: string, counted: Map<string, number>, producer: ContinuousProducer, started: number): Promise<Figures> {
  const total = [...counted.values()].reduce((a, b) => a + b, 0);
  const onTopic = (await topicMessages(broker.brokers, name)) * ROWS_PER_MESSAGE;
  return {
    fault,
    runs,
    produced: producer.acknowledgedTotal,
    uncertain: producer.uncertainTotal,
    onTopic,
    counted: total,
    lost: lostViews(counted, producer),
    countedTwice: Math.max(0, total - onTopic),
    writtenTwiceByProducer: Math.max(0, onTopic - producer.acknowledgedTotal - producer.uncertainTotal),
    durationS: Math.round((Date.now() - started) / 1000),
  };
}

describe('faults during ingest (real processes, real Kafka, real ClickHouse)', () => {
  const figures: Figures[] = [];
  const dirs: string[] = [];

  const service = async (name: string, dataDir: string) =>
    new ServiceProcess({
      PORT: String(await freePort()),
      CHDB_PATH: dataDir,
      CLICKHOUSE_DATABASE: name,
      KAFKA_BROKERS: broker.brokers,
      KAFKA_TOPIC: name,
      KAFKA_GROUP: name,
      REFRESH_INTERVAL_MS: '1000',
      INGEST_POLL_INTERVAL_MS: '1000',
      LOG_LEVEL: 'error',
    });

  /**
   * Waits until ClickHouse consumed everything and the counts stopped moving, then reads them per video from the
   * service's own all-time list (k = 1000 covers every one of the producer's 300 videos).
   */
  async function drainAndCount(name: string, running: ServiceProcess): Promise<Map<string, number>> {
    await waitFor('the consumer group to catch up', async () => (await consumerLagOn(broker.brokers, name, name)) === 0, 180_000, 1000);
    const read = async () => {
      const response = await running.topK('all-time', 1000);
      return response.status === 200 ? (response.body as { videoId: string; views: number }[]) : [];
    };
    let previous = -1;
    let list: { videoId: string; views: number }[] = [];
    await waitFor('the counts to settle', async () => {
      list = await read();
      const total = list.reduce((sum, v) => sum + v.views, 0);
      const settled = total === previous && total > 0;
      previous = total;
      return settled;
    }, 120_000, 3000);
    // The ingestion metric (from ClickHouse's per-minute totals) agrees with the list.
    const metrics = await (await fetch(`${running.url}/metrics`)).text();
    const ingested = Number(/^viewrank_views_ingested_total (\d+)$/m.exec(metrics)?.[1]);
    expect(ingested).toBe(previous);
    expect(list.length).toBeLessThan(1000);
    expect(await running.stop('SIGTERM')).toBe(0);
    return new Map(list.map((v) => [v.videoId, v.views]));
  }

  beforeAll(() => broker.start(), 120_000);

  afterAll(() => {
    broker.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    const lines = figures.map(
      (f) =>
        `${f.fault}: ${f.runs} runs, ${f.produced} views acknowledged (+${f.uncertain} uncertain), ${f.onTopic} on the topic, ${f.counted} counted, ` +
        `lost ${f.lost}, counted twice ${f.countedTwice}, written twice by the producer ${f.writtenTwiceByProducer}, ${f.durationS} s`,
    );
    console.log(`fault figures\n${lines.join('\n')}`);
    if (process.env.FAULT_RESULTS) writeFileSync(process.env.FAULT_RESULTS, `${JSON.stringify({ date: new Date().toISOString(), figures }, null, 2)}\n`);
  });

  it(`loses nothing acknowledged when the service is SIGKILLed ${KILLS} times during ingest`, async () => {
    const started = Date.now();
    const name = uniqueName('faultkill');
    const dataDir = mkdtempSync(join(tmpdir(), 'viewrank-fault-'));
    dirs.push(dataDir);
    const rnd = random(started % 100_000);
    let running = await service(name, dataDir);
    await running.start({ ready: 'listening' });
    const producer = new ContinuousProducer(broker.brokers, name, ROWS_PER_MESSAGE);
    producer.start();
    for (let i = 0; i < KILLS; i++) {
      await new Promise((r) => setTimeout(r, 1000 + rnd() * 4000));
      expect(await running.stop('SIGKILL')).toBe('SIGKILL');
      await new Promise((r) => setTimeout(r, rnd() * 2000));
      running = await service(name, dataDir);
      await running.start({ ready: 'listening' });
    }
    await new Promise((r) => setTimeout(r, 2000));
    await producer.stop();
    const counted = await drainAndCount(name, running);
    const result = await figuresOf('service SIGKILL', KILLS, name, counted, producer, started);
    figures.push(result);
    expect(producer.acknowledgedTotal).toBeGreaterThan(1000);
    expect(result.lost).toBe(0);
  });

  it('loses nothing acknowledged when the broker is stopped and restarted during ingest', async () => {
    const started = Date.now();
    const name = uniqueName('faultbroker');
    const dataDir = mkdtempSync(join(tmpdir(), 'viewrank-fault-'));
    dirs.push(dataDir);
    const running = await service(name, dataDir);
    await running.start({ ready: 'listening' });
    const producer = new ContinuousProducer(broker.brokers, name, ROWS_PER_MESSAGE);
    producer.start();
    await new Promise((r) => setTimeout(r, 4000));
    broker.stop();
    await new Promise((r) => setTimeout(r, 5000));
    broker.start();
    await new Promise((r) => setTimeout(r, 6000));
    await producer.stop();
    const counted = await drainAndCount(name, running);
    const result = await figuresOf('broker stop/start', 1, name, counted, producer, started);
    figures.push(result);
    expect(producer.failedSends).toBeGreaterThan(0); // the broker really was away
    expect(result.lost).toBe(0);
  });
});
