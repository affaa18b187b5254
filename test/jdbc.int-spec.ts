// The Java client analysts use (ClickHouse's official JDBC driver, jdbc-v2 0.10.0 from Maven Central, scripts/jdbc.sh)
// against the service's ClickHouse HTTP interface: it connects with the URL unchanged, lists the tables through JDBC
// metadata, and runs a ready query of the analyst guide, whose answer is checked against a recount.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { isolated, ManualClock, startApp, waitFor } from './support/app';
import { ingestStatus } from './support/ingest-status';
import { produce, uniqueName } from './support/kafka';
import { freePort } from './support/service-process';
import { generateStream, recount, toMessages } from './support/stream';

const PASSWORD = 'jdbc-analyst-secret';
const guide = readFileSync(join(__dirname, '../clickhouse/README.md'), 'utf8');
const totals = /<!-- query: totals -->\n```sql\n([\s\S]*?)\n```/.exec(guide)![1];

describe('the JDBC driver against the ClickHouse HTTP interface', () => {
  const name = uniqueName('jdbc');
  const now = Date.now();
  const events = generateStream({ seed: 9, views: 2000, videos: 90, segments: [{ from: now - 3_600_000, to: now, weight: 1 }] });
  let app: NestFastifyApplication;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    ({ app } = await startApp(
      { ...isolated(name), ANALYST_PASSWORD: PASSWORD, CLICKHOUSE_HTTP_PORT: String(port) },
      new ManualClock(new Date(now)),
    ));
    await produce(name, toMessages(events, 100));
    await waitFor('every view counted', async () => (await ingestStatus(app)).viewsCounted === events.length);
  });

  afterAll(() => app.close());

  // As an analyst writes it, and so with the driver's default compress=1 (ClickHouse's own compressed blocks, LZ4 with
  // CityHash128 checksums, which the driver verifies); and with compress=false.
  it.each(['', '?compress=false'])(
    "connects at jdbc:clickhouse://…/database%s, lists the tables and runs the guide's totals query",
    async (options) => {
      const url = `jdbc:clickhouse://127.0.0.1:${port}/${name}${options}`;
      const query = totals.replace('viewrank.', `${name}.`);
      // Asynchronously: the interface answers from this very process, whose event loop must keep running.
      const { stdout } = await promisify(execFile)(
        'bash',
        [join(__dirname, '../scripts/jdbc.sh'), 'check', url, 'analyst', PASSWORD, name, query],
        {
          encoding: 'utf8',
          timeout: 300_000,
        },
      );
      const [tables, row] = stdout.trim().split('\n');
      expect(tables.split('\t')[0]).toBe('tables');
      expect(tables.split('\t')[1].split(',')).toEqual(expect.arrayContaining(['views_by_hour', 'views_total', 'views_dead_letter']));
      expect(row.split('\t').map(Number)).toEqual([events.length, recount(events).size]);
    },
  );
});
