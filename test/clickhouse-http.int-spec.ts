// ClickHouse's HTTP interface over the embedded engine (src/clickhouse-http/), against the service running with real
// Kafka: the official @clickhouse/client and plain HTTP as curl sends it. The analyst reads exactly what a recount
// says, is refused writes, DDL, the Kafka queue and anything past a limit with ClickHouse's own error codes, and
// ingestion goes on meanwhile.
import { createClient } from '@clickhouse/client';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { isolated, ManualClock, startApp, waitFor } from './support/app';
import { ingestStatus } from './support/ingest-status';
import { produce, uniqueName } from './support/kafka';
import { fromCompressedBlocks, toCompressedBlocks } from '../src/clickhouse-http/compressed-blocks';
import { freePort } from './support/service-process';
import { expectedTopK, generateStream, toMessages } from './support/stream';
import { ClickHouseService } from '../src/clickhouse/clickhouse.service';
import { PrecomputeService } from '../src/top-k/precompute.service';

const PASSWORD = 'analyst-secret-0123';
const ADMIN_PASSWORD = 'admin-secret-4567';
const INGEST_TOKEN = 'ingest-token-secret-89ab';
const SECRETS = [PASSWORD, ADMIN_PASSWORD, INGEST_TOKEN];

describe('ClickHouse HTTP interface for analysts (embedded mode)', () => {
  const name = uniqueName('chhttp');
  const now = Date.now();
  const events = generateStream({ seed: 5, views: 3000, videos: 150, segments: [{ from: now - 3_600_000, to: now, weight: 1 }] });
  const later = generateStream({ seed: 6, views: 500, videos: 40, segments: [{ from: now - 60_000, to: now, weight: 1 }] });
  let app: NestFastifyApplication;
  let base: string;
  const auth = { Authorization: `Basic ${Buffer.from(`analyst:${PASSWORD}`).toString('base64')}` };
  const http = (path: string, init: RequestInit = {}) =>
    fetch(`${base}${path}`, { ...init, headers: { ...auth, ...(init.headers ?? {}) } });
  const refused = async (query: string) => {
    const response = await http(`/?database=${name}`, { method: 'POST', body: query });
    return { status: response.status, code: response.headers.get('x-clickhouse-exception-code'), text: await response.text() };
  };

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    ({ app } = await startApp(
      {
        ...isolated(name),
        ANALYST_PASSWORD: PASSWORD,
        ADMIN_PASSWORD,
        CLICKHOUSE_HTTP_PORT: String(port),
        ANALYST_MAX_EXECUTION_TIME_S: '2',
        ANALYST_MAX_RESULT_BYTES: '1048576',
        INGEST_TOKENS: INGEST_TOKEN,
      },
      new ManualClock(new Date(now)),
    ));
    await produce(name, toMessages(events, 100));
    await waitFor('every view counted', async () => (await ingestStatus(app)).viewsCounted === events.length);
  });

  afterAll(() => app.close());

  it('answers the official client like a ClickHouse server, with the counts of a recount', async () => {
    const client = createClient({ url: base, username: 'analyst', password: PASSWORD, database: name });
    try {
      expect(await client.ping()).toEqual({ success: true });
      const result = await client.query({
        query: 'SELECT video_id, sum(views) AS views FROM views_total GROUP BY video_id ORDER BY views DESC, video_id LIMIT {k:UInt32}',
        query_params: { k: 20 },
        format: 'JSONEachRow',
      });
      const rows = await result.json<{ video_id: string; views: string }>();
      expect(rows.map((r) => ({ videoId: r.video_id, views: Number(r.views) }))).toEqual(expectedTopK(events, 20));
      const tables = await (await client.query({ query: 'SHOW TABLES', format: 'JSONEachRow' })).json<{ name: string }>();
      expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(['views_by_hour', 'views_total', 'views_dead_letter']));
    } finally {
      await client.close();
    }
  });

  it('speaks the protocol as curl sees it: query or body, params, formats, ids, summary, gzip, /ping', async () => {
    expect(await (await fetch(`${base}/ping`)).text()).toBe('Ok.\n');
    const get = await http(`/?query=${encodeURIComponent('SELECT 1 + 1')}`);
    expect(get.status).toBe(200);
    expect(await get.text()).toBe('2\n');
    expect(get.headers.get('x-clickhouse-format')).toBe('TabSeparated');
    expect(JSON.parse(get.headers.get('x-clickhouse-summary')!)).toMatchObject({ result_rows: '1' });
    expect(get.headers.get('x-clickhouse-query-id')).toMatch(/^[0-9a-f-]{36}$/);

    const post = await http(`/?database=${name}&param_n=3&default_format=JSONEachRow&query_id=my-query`, {
      method: 'POST',
      body: 'SELECT number * {n:UInt8} AS x FROM system.numbers LIMIT 2',
    });
    expect(post.headers.get('x-clickhouse-query-id')).toBe('my-query');
    expect(post.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await post.text()).toBe('{"x":0}\n{"x":3}\n');

    const inQuery = await http('/', { method: 'POST', body: 'SELECT 7 AS seven FORMAT CSVWithNames' });
    expect(inQuery.headers.get('x-clickhouse-format')).toBe('CSVWithNames');
    expect(await inQuery.text()).toBe('"seven"\n7\n');

    // fetch decodes gzip itself: the header says the body was compressed, the text that it decoded to the answer.
    const gzipped = await http(`/?enable_http_compression=1&query=${encodeURIComponent('SELECT count() FROM numbers(10)')}`, {
      headers: { 'Accept-Encoding': 'gzip' },
    });
    expect(gzipped.headers.get('content-encoding')).toBe('gzip');
    expect(await gzipped.text()).toBe('10\n');
  });

  it("answers in ClickHouse's own compressed blocks with compress=1, and reads them with decompress=1", async () => {
    const compressed = await http(`/?compress=1&database=${name}`, { method: 'POST', body: 'SELECT sum(views) FROM views_total' });
    const bytes = Buffer.from(await compressed.arrayBuffer());
    expect(bytes[16]).toBe(0x82); // LZ4, after the 16-byte CityHash128 checksum
    expect(fromCompressedBlocks(bytes).toString()).toBe(`${events.length}\n`);

    const request = await http(`/?decompress=1&database=${name}`, {
      method: 'POST',
      body: toCompressedBlocks(Buffer.from('SELECT uniqExact(video_id) FROM views_total')),
    });
    expect(await request.text()).toBe(`${new Set(events.map((e) => e.videoId)).size}\n`);
    const corrupt = toCompressedBlocks(Buffer.from('SELECT 1'));
    corrupt[corrupt.length - 1] ^= 0xff;
    const refusedBody = await http('/?decompress=1', { method: 'POST', body: corrupt });
    expect({ status: refusedBody.status, code: refusedBody.headers.get('x-clickhouse-exception-code') }).toEqual({
      status: 400,
      code: '40',
    });
  });

  it('refuses with ClickHouse error codes: a wrong password, writes, DDL, settings, the Kafka queue, a limit, bad SQL', async () => {
    const wrong = await fetch(`${base}/?query=SELECT+1`, { headers: { 'X-ClickHouse-User': 'analyst', 'X-ClickHouse-Key': 'nope' } });
    expect({ status: wrong.status, code: wrong.headers.get('x-clickhouse-exception-code') }).toEqual({ status: 401, code: '516' });
    expect(await wrong.text()).toMatch(/^Code: 516\. DB::Exception: analyst: Authentication failed/);

    expect(await refused(`INSERT INTO views_total (video_id, views) VALUES ('x', 1)`)).toMatchObject({ status: 403, code: '164' });
    expect(await refused('CREATE TABLE sneaky (a UInt8) ENGINE = Memory')).toMatchObject({ status: 403, code: '164' });
    expect(await refused('DROP TABLE views_total')).toMatchObject({ status: 403, code: '164' });
    expect(await refused('SET readonly = 0')).toMatchObject({ status: 403, code: '164' });
    // Reading the Kafka engine table would take messages from ingestion: the engine refuses it, and readonly refuses
    // the setting that would allow it.
    const queue = await refused('SELECT * FROM views_queue LIMIT 1');
    expect(queue).toMatchObject({ status: 500, code: '620' });
    expect(queue.text).toMatch(/^Code: 620\. DB::Exception: Direct select is not allowed/);
    expect(await refused('SELECT * FROM views_queue LIMIT 1 SETTINGS stream_like_engine_allow_direct_select = 1')).toMatchObject({
      status: 403,
      code: '164',
    });
    const tooLong = await refused('SELECT count() FROM system.numbers');
    expect({ status: tooLong.status, code: tooLong.code }).toEqual({ status: 408, code: '159' });
    // One row past ANALYST_MAX_RESULT_ROWS (a million), of one byte each: under the test's 1 MiB byte limit.
    const tooMany = await refused('SELECT toUInt8(0) FROM system.numbers LIMIT 1000001');
    expect({ status: tooMany.status, code: tooMany.code }).toEqual({ status: 500, code: '396' });
    expect(tooMany.text).toMatch(/max rows: 1\.00 million/);
    expect(await refused('SELEC 1')).toMatchObject({ status: 400, code: '62' });
    expect(await refused('SELECT * FROM no_such_table')).toMatchObject({ status: 404, code: '60' });
  });

  it("runs the analyst's queries at nice 19 (os_thread_priority), within the limits it cannot lift", async () => {
    const settings = await http(`/?database=${name}&default_format=JSONEachRow`, {
      method: 'POST',
      body: "SELECT name, value FROM system.settings WHERE name IN ('os_thread_priority', 'readonly', 'max_threads', 'max_result_rows', 'allow_introspection_functions') ORDER BY name",
    });
    expect(await settings.text()).toBe(
      [
        '{"name":"allow_introspection_functions","value":"0"}',
        '{"name":"max_result_rows","value":"1000000"}',
        '{"name":"max_threads","value":"1"}',
        '{"name":"os_thread_priority","value":"19"}',
        '{"name":"readonly","value":"1"}',
        '',
      ].join('\n'),
    );
  });

  it('gives the administrator every statement, each request a session of its own, and nothing to a wrong password', async () => {
    const admin = { 'X-ClickHouse-User': 'admin', 'X-ClickHouse-Key': ADMIN_PASSWORD };
    const as = async (headers: Record<string, string>, query: string, params = '') => {
      const response = await fetch(`${base}/?database=${name}${params}`, { method: 'POST', body: query, headers });
      return { status: response.status, code: response.headers.get('x-clickhouse-exception-code'), text: await response.text() };
    };
    expect(await as(admin, 'CREATE TABLE admin_made (a UInt8) ENGINE = MergeTree ORDER BY a')).toMatchObject({ status: 200 });
    expect(await as(admin, 'INSERT INTO admin_made VALUES (1), (2)')).toMatchObject({ status: 200 });
    expect((await as(admin, 'SELECT sum(a) FROM admin_made')).text).toBe('3\n');
    // The analyst reads what the administrator wrote, and still cannot write.
    expect((await refused('SELECT count() FROM admin_made')).text).toBe('2\n');
    expect(await refused('INSERT INTO admin_made VALUES (3)')).toMatchObject({ status: 403, code: '164' });
    // A setting given with one request applies to it alone, as on a server: the next request has the default.
    expect((await as(admin, "SELECT value FROM system.settings WHERE name = 'max_threads'", '&max_threads=1')).text).toBe('1\n');
    expect((await as(admin, "SELECT changed FROM system.settings WHERE name = 'max_threads'")).text).toBe('0\n');
    expect((await as(admin, "SELECT value FROM system.settings WHERE name = 'readonly'")).text).toBe('0\n');
    // No password but its own; no user but the configured two; sessions are not offered.
    expect(await as({ 'X-ClickHouse-User': 'admin', 'X-ClickHouse-Key': PASSWORD }, 'SELECT 1')).toMatchObject({
      status: 401,
      code: '516',
    });
    expect(await as({ 'X-ClickHouse-User': 'analyst', 'X-ClickHouse-Key': ADMIN_PASSWORD }, 'SELECT 1')).toMatchObject({
      status: 401,
      code: '516',
    });
    expect(await as({ 'X-ClickHouse-User': 'default', 'X-ClickHouse-Key': '' }, 'SELECT 1')).toMatchObject({ status: 401, code: '516' });
    expect(await as(admin, 'SELECT 1', '&session_id=s1')).toMatchObject({ status: 501, code: '48' });
    expect(await as(admin, 'DROP TABLE admin_made SYNC')).toMatchObject({ status: 200 });
  });

  it('gives the analyst no file, setting, server function or table outside the data, and never a configured secret', async () => {
    const probes: [string, string][] = [
      ["SELECT file('/proc/self/environ')", '46'],
      ["SELECT file('../../../../etc/passwd')", '46'],
      ["SELECT FILE('/etc/shadow')", '46'],
      ["SELECT length(file('/proc/self/environ')) > 0", '46'],
      ["SELECT * FROM file('/proc/self/environ', 'LineAsString')", '46'],
      ["DESC file('/etc/passwd')", '46'],
      ["SELECT * FROM url('http://127.0.0.1:1/', 'LineAsString')", '46'],
      ["SELECT getSetting('max_threads')", '46'],
      ["SELECT getServerSetting('user_files_path')", '46'],
      ['SELECT hostName()', '46'],
      ['SELECT addressToSymbol(toUInt64(1))', '46'],
      ['SELECT * FROM system.query_log', '497'],
      ['SELECT 1 IN system.query_log', '497'],
      ['SELECT system.query_log.query', '497'],
      ['SELECT * FROM system.users', '497'],
      ['SELECT * FROM default.anything', '497'],
      ["SELECT 1 INTO OUTFILE '/tmp/viewrank-analyst-outfile'", '497'],
      ['KILL QUERY WHERE 1 SYNC', '497'],
      ['SYSTEM STOP MERGES', '164'],
      ['SYSTEM FLUSH LOGS', '164'],
      [`INSERT INTO views_total VALUES ('forged', 999999)`, '164'],
      ['SELECT 1; SELECT 2', '62'],
      ["SET param_x = '1'", '164'],
    ];
    for (const [query, code] of probes) {
      const answer = await refused(query);
      expect({ query, code: answer.code }).toEqual({ query, code });
      expect(answer.status).toBeGreaterThanOrEqual(400);
      for (const secret of SECRETS) expect(answer.text).not.toContain(secret);
    }
    // The official client meets the same refusals, as ClickHouse errors with their codes.
    const client = createClient({ url: base, username: 'analyst', password: PASSWORD, database: name });
    try {
      for (const [query, code] of probes.filter(([query]) => !query.includes(';'))) {
        const error = await client.query({ query, format: 'JSONEachRow' }).then(
          () => undefined,
          (e: Error & { code?: string }) => e,
        );
        expect({ query, code: error?.code }).toEqual({ query, code });
        for (const secret of SECRETS) expect(error?.message).not.toContain(secret);
      }
    } finally {
      await client.close();
    }
    // The data and the harmless system tables stay readable.
    expect((await refused("SELECT count() > 0 FROM system.columns WHERE table = 'views_total'")).text).toBe('1\n');
    expect((await refused(`SELECT sum(views) FROM ${name}.views_total`)).text).toBe(`${events.length}\n`);
  });

  it('keeps nothing from one request to the next: database, parameters and settings apply to one request only', async () => {
    expect(await refused('USE system')).toMatchObject({ code: '164' });
    expect((await refused('SELECT currentDatabase()')).text).toBe(`${name}\n`);
    const other = await http(`/?database=system&query=${encodeURIComponent('SELECT 1')}`);
    expect(other.headers.get('x-clickhouse-exception-code')).toBe('291');
    expect((await http(`/?param_x=7&query=${encodeURIComponent('SELECT {x:UInt8}')}`)).status).toBe(200);
    const next = await http(`/?query=${encodeURIComponent('SELECT {x:UInt8}')}`);
    expect(next.headers.get('x-clickhouse-exception-code')).toBe('456');
    // A parameter's value is bound by the engine, whatever it holds.
    const tricky = "\\'; SELECT file('/etc/passwd') --";
    const echoed = await http(`/?param_s=${encodeURIComponent(tricky)}&query=${encodeURIComponent('SELECT {s:String} FORMAT TSVRaw')}`);
    // The value is read as the engine reads any param_ value (escaped text): \' is a quote.
    expect(await echoed.text()).toMatch(/^\\?'; SELECT file\('\/etc\/passwd'\) --\n$/);
  });

  it("lets an analyst's parameterized query run without holding the service's queries, and cancel it by its query_id", async () => {
    const clickhouse = app.get(ClickHouseService);
    const order: string[] = [];
    const slow = http(
      `/?param_n=1000000000000&query_id=slow-one&query=${encodeURIComponent('SELECT sum(cityHash64(number)) FROM numbers({n:UInt64})')}`,
    ).then(async (r) => {
      order.push('analyst');
      return { code: r.headers.get('x-clickhouse-exception-code'), text: await r.text() };
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The service's own parameterized query goes through the embedded binding's chain: it must not wait.
    await clickhouse.select('SELECT count() FROM {db:Identifier}.views_total WHERE video_id != {v:String}', { v: '' });
    order.push('service');
    // Each side sees its own queries in system.processes: the analyst the analysts', the service its own.
    const seen = await http(
      `/?query=${encodeURIComponent("SELECT Settings['log_comment'] AS c FROM system.processes ORDER BY c FORMAT TSVRaw")}`,
    );
    expect((await seen.text()).split('\n')).toEqual(expect.arrayContaining(['viewrank-analyst:slow-one']));
    const serviceSees = await clickhouse.select<{ c: string }>("SELECT Settings['log_comment'] AS c FROM system.processes");
    expect(serviceSees.filter((r) => r.c.startsWith('viewrank-analyst'))).toEqual([]);
    expect((await refused('KILL QUERY WHERE 1 SYNC')).code).toBe('497');
    const duplicate = await http(`/?query_id=slow-one&query=${encodeURIComponent('SELECT 1')}`);
    expect(duplicate.headers.get('x-clickhouse-exception-code')).toBe('216');
    const kill = await http(`/?query=${encodeURIComponent("KILL QUERY WHERE query_id = 'slow-one' SYNC")}`);
    expect(kill.status).toBe(200);
    expect(await kill.text()).toContain('slow-one');
    const ended = await slow;
    expect(order).toEqual(['service', 'analyst']);
    expect(ended.code).toBe('394'); // QUERY_WAS_CANCELLED, before its 2 s limit
  });

  it('honours a query_id while its query waits its turn: a duplicate is refused, and KILL keeps it from starting', async () => {
    const busy = (id: string) =>
      http(`/?query_id=${id}&query=${encodeURIComponent('SELECT sum(cityHash64(number)) FROM numbers(1000000000000)')}`);
    const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
    const running = [busy('busy-1'), busy('busy-2')];
    await pause(300);
    const queued = http(`/?query_id=queued-one&query=${encodeURIComponent('SELECT 1')}`);
    await pause(300);
    const duplicate = await http(`/?query_id=queued-one&query=${encodeURIComponent('SELECT 2')}`);
    expect(duplicate.headers.get('x-clickhouse-exception-code')).toBe('216');
    expect((await http(`/?query=${encodeURIComponent("KILL QUERY WHERE query_id = 'queued-one'")}`)).status).toBe(200);
    expect((await queued).headers.get('x-clickhouse-exception-code')).toBe('394');
    expect((await Promise.all(running)).map((r) => r.headers.get('x-clickhouse-exception-code'))).toEqual(['159', '159']);
  });

  it('bounds answers in bytes, compresses them off the event loop, and bounds the queue', async () => {
    const big = await refused('SELECT randomPrintableASCII(1000) FROM numbers(3000)');
    expect(big.code).toBe('396');
    const gzipped = await http(
      `/?enable_http_compression=1&query=${encodeURIComponent('SELECT randomPrintableASCII(100) FROM numbers(3000)')}`,
      {
        headers: { 'Accept-Encoding': 'gzip' },
      },
    );
    expect(gzipped.headers.get('content-encoding')).toBe('gzip');
    expect((await gzipped.text()).split('\n')).toHaveLength(3001);
    // One runs at a time and 16 may wait: of 30 at once, some are told to come back.
    const burst = await Promise.all(
      Array.from({ length: 30 }, () => http(`/?query=${encodeURIComponent('SELECT count() FROM numbers(30000000)')}`).then((r) => r)),
    );
    const statuses = burst.map((r) => r.status);
    expect(statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);
    const busy = burst.filter((r) => r.status === 503);
    expect(busy.length).toBeGreaterThan(0);
    for (const r of busy) expect(r.headers.get('retry-after')).toBe('1');
  });

  it('leaves ingestion running: views produced after all that are counted, and the service still writes', async () => {
    await produce(name, toMessages(later, 100));
    await waitFor('the later views counted', async () => (await ingestStatus(app)).viewsCounted === events.length + later.length);
    const client = createClient({ url: base, username: 'analyst', password: PASSWORD, database: name });
    try {
      // The grains follow the minutes at the next rollup (migration 0017), within a second or so.
      const total = async () =>
        Number(
          (
            await (
              await client.query({ query: 'SELECT sum(views) AS views FROM views_total', format: 'JSONEachRow' })
            ).json<{ views: string }>()
          )[0].views,
        );
      await waitFor('the later views rolled up into views_total', async () => (await total()) >= events.length + later.length, 30_000);
      expect(await total()).toBe(events.length + later.length);
    } finally {
      await client.close();
    }
    // And the lists the API serves are still exact.
    await app.get(PrecomputeService).refresh();
    const top = await app.inject({ method: 'GET', url: '/views/top-k?window=all-time&k=1000' });
    expect(top.body).toBe(JSON.stringify(expectedTopK([...events, ...later], 1000)));
  });

  it('refuses an address that guessed too many passwords, with 429 and Retry-After, even with the right one', async () => {
    const wrong = () => fetch(`${base}/?query=SELECT+1`, { headers: { 'X-ClickHouse-User': 'analyst', 'X-ClickHouse-Key': 'guess' } });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await wrong()).status);
    // Earlier tests sent a few wrong passwords from this address too: 401s, then only 429s.
    const first = statuses.indexOf(429);
    expect(first).toBeGreaterThan(0);
    expect(statuses.slice(0, first)).toEqual(Array(first).fill(401));
    expect(statuses.slice(first)).toEqual(Array(12 - first).fill(429));
    const right = await http('/?query=SELECT+1');
    expect(right.status).toBe(429);
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
