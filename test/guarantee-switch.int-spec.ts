// Switching INGEST_GUARANTEE on an installation that has data and views in flight (real processes, real Kafka, real
// ZooKeeper, real ClickHouse): at-least-once → exactly-once → at-least-once → exactly-once, each restart while a
// producer keeps sending. Every window must then equal the recount of the topic: the queue table is recreated from
// the consumer group's committed offsets, nothing is lost at a switch, and nothing is counted twice, not even by
// the Keeper offsets left from the first exactly-once period (the second one starts on a Keeper path of its own).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isolated } from './support/app';
import { ContinuousProducer } from './support/continuous-producer';
import { TEST_BROKERS, uniqueName } from './support/kafka';
import { freePort, ServiceProcess } from './support/service-process';
import { expectEveryWindowExact } from './support/window-recount';

const TOLERANCE_MS = 5000;
const PHASES = ['at-least-once', 'exactly-once', 'at-least-once', 'exactly-once'] as const;

describe('switching the ingestion guarantee with views in flight', () => {
  const name = uniqueName('switch');
  const dataDir = mkdtempSync(join(tmpdir(), 'viewrank-switch-'));
  let running: ServiceProcess | undefined;

  afterAll(async () => {
    await running?.stop('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'loses nothing and counts nothing twice across four switches',
    async () => {
      const producer = new ContinuousProducer(TEST_BROKERS.join(','), name, 20);
      const logs: string[] = [];
      for (const [i, guarantee] of PHASES.entries()) {
        running = new ServiceProcess({
          PORT: String(await freePort()),
          CHDB_PATH: dataDir,
          ...isolated(name),
          KAFKA_BROKERS: TEST_BROKERS.join(','),
          INGEST_GUARANTEE: guarantee,
          LATE_TOLERANCE_MS: String(TOLERANCE_MS),
          REFRESH_INTERVAL_MS: '1000',
          INGEST_POLL_INTERVAL_MS: '1000',
          LOG_LEVEL: 'log',
        });
        await running.start({ ready: 'listening' });
        if (i === 0) producer.start(); // the service created the topic
        await new Promise((r) => setTimeout(r, 6000));
        if (i < PHASES.length - 1) expect(await running.stop('SIGTERM')).toBe(0);
        logs.push(/ingestion (exactly-once|at-least-once)[^"]*/.exec(running.output)?.[0] ?? '(no ingestion line)');
      }
      expect(logs).toEqual([
        expect.stringMatching(/^ingestion at-least-once, offsets in the consumer group: queue created \(no queue table yet\)/),
        expect.stringMatching(
          new RegExp(
            `^ingestion exactly-once, offsets in Keeper at /viewrank/${name}/views_queue/\\w+: queue created \\(switching from at-least-once\\)`,
          ),
        ),
        // Leaving exactly once, the table it replaces first replays any block half-written before (none here: stopped cleanly).
        expect.stringMatching(
          /^ingestion at-least-once, offsets in the consumer group: queue created \(switching from exactly-once; the table it replaces settled in \d+ ms\)/,
        ),
        expect.stringMatching(/^ingestion exactly-once, offsets in Keeper at .*: queue created \(switching from at-least-once\)/),
      ]);
      // Two exactly-once periods, two Keeper paths.
      const paths = logs.filter((l) => l.includes('Keeper at')).map((l) => /Keeper at (\S+):/.exec(l)![1]);
      expect(new Set(paths).size).toBe(2);

      await producer.stop();
      // The service's lag counts what ClickHouse wrote: after a switch the group's own commits may trail for a while
      // (src/kafka/kafka-topic.ts handOverGroup says why).
      await expectEveryWindowExact(
        running!,
        TEST_BROKERS.join(','),
        name,
        TOLERANCE_MS,
        `guarantee switches: ${producer.acknowledgedTotal} views acknowledged`,
      );
      expect(producer.acknowledgedTotal).toBeGreaterThan(1000);
    },
    10 * 60_000,
  );
});
