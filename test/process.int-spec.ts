// The service as operators start it (a real process, real Kafka, real embedded ClickHouse): a bad setting stops it
// with a message naming the setting; its log is JSON lines carrying request ids, quiet by default, without secrets.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENGINE_THREAD_NICE } from '../src/clickhouse/engine-priority';
import { isolated, waitFor } from './support/app';
import { uniqueName } from './support/kafka';
import { freePort, ServiceProcess } from './support/service-process';

describe('the service process: configuration and logs', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'viewrank-process-'));
  const name = uniqueName('proc');
  const env = async (extra: Record<string, string>) => ({
    PORT: String(await freePort()),
    CHDB_PATH: dataDir,
    ...isolated(name),
    CLICKHOUSE_PASSWORD: 'pw-never-logged-7f3a',
    ...extra,
  });

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('refuses to start on bad settings, naming each one', () => {
    const run = spawnSync(process.execPath, [join(__dirname, '../dist/main.js')], {
      env: { ...process.env, PORT: 'eighty', KAFKA_TOPIC: 'has spaces', LATE_TOLERANCE_MS: '-5', CHDB_PATH: dataDir },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('Invalid configuration:');
    expect(run.stderr).toContain('PORT="eighty"');
    expect(run.stderr).toContain('KAFKA_TOPIC="has spaces": KAFKA_TOPIC must be a valid Kafka topic name');
    expect(run.stderr).toContain('LATE_TOLERANCE_MS=-5');
    expect(run.stdout + run.stderr).not.toMatch(/at .*\.js:\d+/); // a message, not a stack trace
  });

  it('logs JSON lines only; at the default level, no per-request or framework lines and no secrets', async () => {
    const service = new ServiceProcess(await env({ LOG_LEVEL: 'info' }));
    await service.start();
    await fetch(`${service.url}/views/top-k?window=hour&k=1`, { headers: { authorization: 'Bearer token-never-logged-9c1d' } });
    expect(await service.stop('SIGTERM')).toBe(0);
    const lines = service.lines();
    const records = lines.map((l) => JSON.parse(l));
    expect(records.map((r) => r.msg)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^viewrank listening on /), expect.stringMatching(/^SIGTERM received, shutting down/)]),
    );
    expect(records.filter((r) => r.req || r.context === 'InstanceLoader' || r.context === 'RouterExplorer')).toEqual([]);
    expect(service.output).not.toContain('pw-never-logged-7f3a');
  });

  it("runs the engine's threads at ENGINE_THREAD_NICE (10) and its own main thread at 0", async () => {
    const service = new ServiceProcess(await env({}));
    await service.start();
    try {
      // Field 19 of /proc/<pid>/task/<tid>/stat is the nice value; the name (field 2) may hold spaces, so split after it.
      const nice = (tid: string) => Number(readFileSync(`/proc/${service.pid}/task/${tid}/stat`, 'utf8').split(') ')[1].split(' ')[16]);
      const name = (tid: string) => readFileSync(`/proc/${service.pid}/task/${tid}/comm`, 'utf8').trim();
      const threads = readdirSync(`/proc/${service.pid}/task`);
      expect(nice(String(service.pid))).toBe(0);
      const engine = threads.filter((tid) => ['ThreadPool', 'MergeMutate'].includes(name(tid)));
      expect(engine.length).toBeGreaterThan(0);
      expect(engine.map(nice)).toEqual(engine.map(() => ENGINE_THREAD_NICE));
    } finally {
      await service.stop('SIGTERM');
    }
  });

  it('on SIGTERM, fails readiness at once and keeps answering through the drain period, then exits 0', async () => {
    const service = new ServiceProcess(await env({ SHUTDOWN_DRAIN_MS: '4000', REFRESH_INTERVAL_MS: '500' }));
    await service.start();
    await waitFor('ready', async () => (await fetch(`${service.url}/health/ready`)).status === 200, 30_000);
    const stopped = service.stop('SIGTERM');
    const signalled = Date.now();
    await waitFor('readiness to fail', async () => (await fetch(`${service.url}/health/ready`)).status === 503, 2000, 50);
    const ready = await fetch(`${service.url}/health/ready`);
    expect(((await ready.json()) as { error: { shutdown: { error: string } } }).error.shutdown.error).toBe(
      'shutting down: draining requests before closing',
    );
    // Still answering reads for the rest of the drain.
    while (Date.now() - signalled < 3000) {
      expect((await service.topK('day', 5)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(await stopped).toBe(0);
    expect(Date.now() - signalled).toBeGreaterThanOrEqual(4000);
  });

  it('closes the embedded engine only after the queries still running in it, so the process then exits 0', () => {
    // The service exits right after closing ClickHouse. A query still running on a libuv thread at that moment (one
    // left behind by a closed session, an aborted request or a timer) took the process down with SIGSEGV: CI saw it
    // once at a SIGTERM, and without the wait this child died in 2 of 4 tries (SIGSEGV or SIGABRT).
    const child = `
      const { loadConfig } = require('./dist/config/app-config');
      const { openClickHouse } = require('./dist/clickhouse/clickhouse.client');
      const config = loadConfig(process.env);
      const handle = openClickHouse(config.clickhouse, config.zookeeper);
      (async () => {
        await handle.client.command({ query: 'CREATE TABLE default.t (x UInt64) ENGINE = MergeTree ORDER BY x' });
        handle.client.command({ query: 'INSERT INTO default.t SELECT number FROM numbers(50000000)' }).catch(() => {});
        await new Promise((r) => setTimeout(r, 300));
        const started = Date.now();
        await handle.close();
        console.log('closed after ' + (Date.now() - started) + ' ms');
        process.exit(0);
      })();`;
    for (let run = 0; run < 6; run++) {
      const dir = mkdtempSync(join(tmpdir(), 'viewrank-close-'));
      try {
        const result = spawnSync(process.execPath, ['-e', child], {
          cwd: join(__dirname, '..'),
          env: { ...process.env, CHDB_PATH: dir },
          encoding: 'utf8',
          timeout: 60_000,
        });
        expect({ run, status: result.status, signal: result.signal }).toEqual({ run, status: 0, signal: null });
        expect(result.stdout).toMatch(/^closed after \d+ ms$/m);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it("logs JSON lines only where /sys/fs/cgroup is hidden, the engine's own lines included", async () => {
    // A mount namespace of its own whose /sys/fs/cgroup is an empty tmpfs, as in containers that do not mount it.
    const hidden = ['unshare', '--mount', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs none /sys/fs/cgroup && exec "$0" "$@"'];
    // At warning, the engine logs something at once (its background pool's pauses), so there are engine lines to read.
    const service = new ServiceProcess(await env({ ENGINE_LOG_LEVEL: 'warning' }), { under: hidden });
    await service.start();
    expect(readFileSync(`/proc/${service.pid}/mountinfo`, 'utf8')).toMatch(/ \/sys\/fs\/cgroup .* - tmpfs /);
    expect(await service.stop('SIGTERM')).toBe(0);
    const lines = service.lines();
    expect(service.nonJsonLines()).toEqual([]);
    const records = lines.map((l) => JSON.parse(l));
    expect(records.filter((r) => r.logger_name !== undefined && r.level === 'Warning').length).toBeGreaterThan(0);
    expect(records.map((r) => r.msg)).toContainEqual(expect.stringMatching(/^viewrank listening on /));
  });

  it('at LOG_LEVEL=debug, logs each request with its request id, and redacts credentials', async () => {
    const service = new ServiceProcess(await env({ LOG_LEVEL: 'debug' }));
    await service.start();
    const response = await fetch(`${service.url}/views/top-k?window=day&k=1`, {
      headers: { 'x-request-id': 'trace-abc-123', authorization: 'Bearer token-never-logged-9c1d' },
    });
    expect(response.headers.get('x-request-id')).toBe('trace-abc-123');
    expect(await service.stop('SIGTERM')).toBe(0);
    const records = service.lines().map((l) => JSON.parse(l));
    const request = records.find((r) => r.req?.id === 'trace-abc-123');
    expect(request).toMatchObject({
      level: 30,
      msg: 'request completed',
      req: { method: 'GET', url: '/views/top-k?window=day&k=1' },
      res: { statusCode: 200 },
    });
    expect(service.output).not.toContain('token-never-logged-9c1d');
    expect(service.output).not.toContain('pw-never-logged-7f3a');
    // Start-up lines carry the time each happened (buffered, they all carried the instant of the hand-over).
    const listening = records.findIndex((r) => /^viewrank listening on /.test(r.msg));
    const startup = records.slice(0, listening + 1).map((r) => Date.parse(r.time));
    expect(startup.length).toBeGreaterThan(20);
    expect(new Set(startup).size).toBeGreaterThan(3);
    expect([...startup].sort((a, b) => a - b)).toEqual(startup);
  });
});
