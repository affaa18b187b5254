// PostgreSQL, the write-up's first design: a counter row per video and per (hour, video), an index on the count,
// ORDER BY views DESC LIMIT k to read. Each Kafka batch becomes one upsert per table in which PostgreSQL groups the
// batch's views per key (a row cannot be updated twice by one statement). Debian's postgresql-15, on loopback.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { freePort } from '../../../test/support/service-process';
import { until, waitForPort } from '../../lib/service';
import { READ_CONNECTIONS } from '../reads';
import { HOUR, Peer, running, stopChild } from './peer';

const PG_BIN = '/usr/lib/postgresql/15/bin';
const PG_SCHEMA = `
  CREATE TABLE video_counts (video_id text PRIMARY KEY, views bigint NOT NULL);
  CREATE INDEX video_counts_by_views ON video_counts (views DESC, video_id);
  CREATE TABLE video_hour_counts (hour timestamptz, video_id text, views bigint NOT NULL, PRIMARY KEY (hour, video_id));
  CREATE INDEX video_hour_counts_by_views ON video_hour_counts (hour, views DESC, video_id);`;
const PG_UPSERT_TOTAL = `INSERT INTO video_counts (video_id, views) SELECT v, count(*) FROM unnest($1::text[]) AS v GROUP BY v
  ON CONFLICT (video_id) DO UPDATE SET views = video_counts.views + EXCLUDED.views`;
const PG_UPSERT_HOUR = `INSERT INTO video_hour_counts (hour, video_id, views)
  SELECT to_timestamp(h * 3600), v, count(*) FROM unnest($2::bigint[], $1::text[]) AS t(h, v) GROUP BY h, v
  ON CONFLICT (hour, video_id) DO UPDATE SET views = video_hour_counts.views + EXCLUDED.views`;
// The ORDER BY names the table's column: an output column of the same name (say, views::int AS views) would be
// sorted instead, and the index could not serve the order (half a second per read at a million videos).
const PG_TOP = 'SELECT video_id, views FROM video_counts ORDER BY video_counts.views DESC, video_counts.video_id LIMIT $1';

export async function startPostgres(): Promise<Peer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'viewrank-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  // The server's own log, so that a connection it drops can be explained (printed with the error below).
  const logFile = join(dir, 'server.log');
  const log = openSync(logFile, 'a');
  // PostgreSQL refuses to run as root: its own user runs it (the Debian package creates 'postgres').
  execFileSync('runuser', ['-u', 'postgres', '--', `${PG_BIN}/initdb`, '-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8'], {
    stdio: 'ignore',
  });
  const server = spawn(
    'runuser',
    [
      '-u',
      'postgres',
      '--',
      `${PG_BIN}/postgres`,
      '-D',
      data,
      '-p',
      String(port),
      '-k',
      dir,
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'synchronous_commit=off',
      '-c',
      'shared_buffers=1GB',
      '-c',
      'max_wal_size=4GB',
    ],
    { stdio: ['ignore', log, log] },
  );
  closeSync(log);
  const pgStop = () =>
    execFileSync('runuser', ['-u', 'postgres', '--', `${PG_BIN}/pg_ctl`, 'stop', '-D', data, '-m', 'immediate'], { stdio: 'ignore' });
  running.set(server, pgStop);
  const connection = { host: '127.0.0.1', port, user: 'postgres', database: 'postgres' };
  await waitForPort(port, 'postgres');
  let client = new Client(connection);
  await until(
    'postgres to accept connections (it refuses them while starting up)',
    async () => {
      client = new Client(connection);
      return client.connect().then(
        () => true,
        () => false,
      );
    },
    30_000,
    200,
  );
  // A connection the server drops is an 'error' event on its client (and on the pool, for an idle pooled client).
  // Without a listener Node throws it and the whole suite dies; with one, the peer's next query fails with the reason.
  const onLost = (error: Error) => console.error(`PostgreSQL peer: connection lost (${error.message}); server log:\n${tail(logFile)}`);
  client.on('error', onLost);
  await client.query(PG_SCHEMA);
  const reads = new Pool({ ...connection, max: READ_CONNECTIONS });
  reads.on('error', onLost);
  return {
    name: 'PostgreSQL counter rows',
    concurrency: 1,
    pid: server.pid!,
    async apply(views) {
      const ids = views.map((v) => v.id);
      await client.query('BEGIN');
      await client.query(PG_UPSERT_TOTAL, [ids]);
      await client.query(PG_UPSERT_HOUR, [ids, views.map((v) => Math.floor(v.ts / HOUR))]);
      await client.query('COMMIT');
    },
    async settle() {
      // What autovacuum would do in time: without it, the freshly updated index is full of dead entries.
      await client.query('VACUUM ANALYZE');
    },
    async top(k) {
      const { rows } = await reads.query<{ video_id: string; views: string }>(PG_TOP, [k]);
      return rows.map((row) => ({ videoId: row.video_id, views: Number(row.views) }));
    },
    async dataMiB() {
      return Math.round(Number((await client.query('SELECT pg_database_size(current_database()) AS size')).rows[0].size) / 2 ** 20);
    },
    async stop() {
      await reads.end();
      await client.end();
      execFileSync('runuser', ['-u', 'postgres', '--', `${PG_BIN}/pg_ctl`, 'stop', '-D', data, '-m', 'fast'], { stdio: 'ignore' });
      await stopChild(server);
      running.delete(server);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no server log)';
  }
}
