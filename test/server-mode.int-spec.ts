// Server mode run for real: two viewrank processes with CLICKHOUSE_URL at a third one's ClickHouse HTTP interface
// (embedded engine, administrator user), on a database of their own. The whole server-mode path runs against a real
// ClickHouse engine over HTTP with @clickhouse/client: migrations (both instances start at once: the schema lock),
// the Kafka engine table with its offsets in ZooKeeper, ingestion status, refreshes, the sliding hour. Every window
// must equal the recount of the topic, and the two instances must serve byte-identical lists.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isolated, waitFor } from './support/app';
import { ContinuousProducer } from './support/continuous-producer';
import { TEST_BROKERS, uniqueName } from './support/kafka';
import { freePort, ServiceProcess } from './support/service-process';
import { expectEveryWindowExact, WINDOWS } from './support/window-recount';

const TOLERANCE_MS = 5000;
const ADMIN_PASSWORD = 'server-mode-admin-0123';

describe('server mode, against the embedded engine through its HTTP interface', () => {
  const host = uniqueName('srvhost');
  const name = uniqueName('srvmode');
  const dataDir = mkdtempSync(join(tmpdir(), 'viewrank-srvhost-'));
  const processes: ServiceProcess[] = [];

  afterAll(async () => {
    for (const p of processes.reverse()) await p.stop('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'migrates once, ingests, refreshes and counts exactly in every window; two instances serve the same bytes',
    async () => {
      const httpPort = await freePort();
      const engine = new ServiceProcess({
        PORT: String(await freePort()),
        CHDB_PATH: dataDir,
        ...isolated(host),
        KAFKA_BROKERS: TEST_BROKERS.join(','),
        ADMIN_PASSWORD,
        CLICKHOUSE_HTTP_PORT: String(httpPort),
        REFRESH_INTERVAL_MS: '5000',
      });
      processes.push(engine);
      await engine.start({ ready: 'listening' });

      const serverMode = async () =>
        new ServiceProcess({
          PORT: String(await freePort()),
          CLICKHOUSE_URL: `http://127.0.0.1:${httpPort}`,
          CLICKHOUSE_USER: 'admin',
          CLICKHOUSE_PASSWORD: ADMIN_PASSWORD,
          // A path that would be created if anything opened chDB here.
          CHDB_PATH: join(dataDir, 'never-opened'),
          ...isolated(name),
          KAFKA_BROKERS: TEST_BROKERS.join(','),
          LATE_TOLERANCE_MS: String(TOLERANCE_MS),
          REFRESH_INTERVAL_MS: '1000',
          INGEST_POLL_INTERVAL_MS: '1000',
        });
      const instances = [await serverMode(), await serverMode()];
      processes.push(...instances);
      await Promise.all(instances.map((instance) => instance.start({ ready: 'listening' })));

      // Both talk to the server over HTTP and never load the embedded engine.
      for (const instance of instances) {
        expect(instance.output).toContain(`ClickHouse server at http://127.0.0.1:${httpPort}, database ${name}`);
        expect(readFileSync(`/proc/${instance.pid}/maps`, 'utf8')).not.toMatch(/chdb/i);
      }
      expect(() => readFileSync(join(dataDir, 'never-opened', 'status'))).toThrow();
      // One ran every migration, the other found them all in place (the schema lock); one created the queue.
      const migrations = instances.map((i) => /migrations: (\d+) applied.*?, (\d+) already in place/.exec(i.output)!.slice(1).map(Number));
      expect(migrations.map(([applied]) => applied).sort((a, b) => a - b)).toEqual([0, migrations[0][0] + migrations[0][1]]);
      const queues = instances.map(
        (i) => /ingestion exactly-once, offsets in Keeper at \S+: (queue created|queue in place)/.exec(i.output)?.[1],
      );
      expect(queues.sort()).toEqual(['queue created', 'queue in place']);

      const producer = new ContinuousProducer(TEST_BROKERS.join(','), name, 20);
      producer.start();
      await new Promise((resolve) => setTimeout(resolve, 8000));
      await producer.stop();
      const figures = await expectEveryWindowExact(
        instances[0],
        TEST_BROKERS.join(','),
        name,
        TOLERANCE_MS,
        `server mode: ${producer.acknowledgedTotal} views acknowledged`,
      );
      expect(producer.acknowledgedTotal).toBeGreaterThan(500);
      expect(figures['all-time'].counted).toBe(producer.acknowledgedTotal);

      // The other instance refreshes on its own schedule: once it has caught up, every body is the same bytes.
      const bodies = (instance: ServiceProcess) =>
        Promise.all(WINDOWS.map(async (window) => (await fetch(`${instance.url}/views/top-k?window=${window}&k=1000`)).text()));
      let pair: string[][] = [];
      await waitFor(
        'both instances to serve the same lists',
        async () => {
          pair = await Promise.all(instances.map(bodies));
          return pair[0].every((body, i) => body === pair[1][i]);
        },
        30_000,
        1000,
      );
      expect(pair[1]).toEqual(pair[0]);
      expect(JSON.parse(pair[0][WINDOWS.indexOf('all-time')]).length).toBeGreaterThan(0);

      // Their logs are JSON lines only, the ClickHouse client's included: the lock race above makes it log a failed
      // CREATE, which it printed as plain text before it wrote through the service's logger.
      for (const instance of instances) {
        expect(instance.nonJsonLines()).toEqual([]);
      }
    },
    10 * 60_000,
  );
});
