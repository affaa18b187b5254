import { ClickHouseClient, ClickHouseError, ClickHouseSettings } from '@clickhouse/client';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import Fastify, { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { matchesSecret } from '../auth/secrets';
import { openSeparateSession } from '../clickhouse/clickhouse.client';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { compressedBlocks, fromCompressedBlocks } from './compressed-blocks';
import { contentType, credentials, exceptionText, parseRequest, SqlRequest, statusOf } from './protocol';

/** Largest request body (the query): ClickHouse's own default for a query is 256 KiB; bodies here are queries only. */
const MAX_QUERY_BYTES = 1_048_576;
/**
 * compress=1 answers go out in blocks of this size, the event loop free between two: each takes about 2 ms to
 * checksum here (31 ms per MiB), and the loop also serves the service's reads.
 */
const FRAMED_BLOCK = 65_536;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * ClickHouse's HTTP interface (the protocol of port 8123) over the embedded engine, for analysts' own clients:
 * @clickhouse/client, curl, JDBC, Grafana, DBeaver. Off in server mode (analysts then use the server) and unless a
 * user is configured. Two users:
 * - The analyst (ANALYST_PASSWORD): one session of its own (a chDB connection: settings set on it stay there), given
 *   the limits and then readonly=1: SELECT, SHOW, DESCRIBE, EXPLAIN; no write, no DDL, no setting changed. Its queries
 *   run one at a time, at a low OS priority, so analysts share one thread budget and never starve ingestion or the
 *   refresh.
 * - The administrator (ADMIN_PASSWORD): any statement, no limits, each request on a session of its own that ends
 *   with it, so a request's settings apply to it alone, as ClickHouse's HTTP interface does without session_id. For
 *   operators, and for a server-mode viewrank pointed at this one (test/server-mode.int-spec.ts).
 */
@Injectable()
export class ClickHouseHttpServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ClickHouseHttpServer.name);
  private server?: FastifyInstance;
  private session?: ClickHouseClient;
  private database = '';
  /** The queue of analyst queries: each starts when the one before has ended. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get enabled(): boolean {
    const { analyst, admin } = this.config.clickhouseHttp;
    return !this.config.clickhouse.url && (analyst.password !== undefined || admin.password !== undefined);
  }

  /** After the migrations (module init): the analyst sees the schema from the first query. */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.enabled) return;
    const { host, port, limits, analyst, admin } = this.config.clickhouseHttp;
    if (analyst.password !== undefined) {
      this.session = openSeparateSession(this.config.clickhouse);
      await useDatabase(this.session, this.config.clickhouse.database);
      this.database = this.config.clickhouse.database;
      // The limits first, readonly last: in readonly mode not even a limit can be set any more.
      await this.session.command({ query: 'SELECT 1', clickhouse_settings: { ...limits, readonly: '1' } });
    }
    const server = Fastify({ bodyLimit: MAX_QUERY_BYTES });
    server.removeAllContentTypeParsers();
    // Bytes: with decompress=1 the body is ClickHouse's compressed blocks.
    server.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    server.get('/ping', async (_request, reply) => reply.type('text/plain; charset=UTF-8').send('Ok.\n'));
    server.route({ method: ['GET', 'POST'], url: '/', handler: (request, reply) => this.handle(request, reply) });
    await server.listen({ host, port });
    this.server = server;
    const users = [
      ...(analyst.password !== undefined ? [`${analyst.user} (read-only)`] : []),
      ...(admin.password !== undefined ? [`${admin.user} (administrator)`] : []),
    ];
    this.logger.log(`ClickHouse HTTP interface on http://${host}:${port}, users: ${users.join(', ')}`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.server?.close();
    await this.queue.catch(() => undefined);
    await this.session?.close();
  }

  private async handle(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const url = request.query as Record<string, string>;
    const bytes = Buffer.isBuffer(request.body) && request.method === 'POST' ? request.body : Buffer.alloc(0);
    let body: string;
    try {
      body = (url.decompress === '1' ? fromCompressedBlocks(bytes) : bytes).toString('utf8');
    } catch (error) {
      const message = (error as Error).message;
      return this.fail(reply, /checksum/.test(message) ? 40 : 271, `Cannot decompress the request body: ${message}`);
    }
    const sql = parseRequest(url, body, request.headers);
    const queryId = sql.queryId ?? crypto.randomUUID();
    reply.header('X-ClickHouse-Query-Id', queryId).header('X-ClickHouse-Timezone', 'UTC');
    const { user, password } = credentials(request.headers, url);
    const role = this.authenticate(user, password);
    if (role === undefined) {
      const message = `${user}: Authentication failed: password is incorrect, or there is no user with such name. (AUTHENTICATION_FAILED)`;
      return this.fail(reply, 516, message);
    }
    if (sql.sessionId !== undefined) {
      return this.fail(reply, 48, 'Sessions (session_id) are not supported by this interface: every request is its own. (NOT_IMPLEMENTED)');
    }
    if (sql.query.trim() === '') return void reply.type('text/plain; charset=UTF-8').send('Ok.\n');
    if (sql.database !== undefined && !IDENTIFIER.test(sql.database)) {
      return this.fail(reply, 81, `Database ${JSON.stringify(sql.database)} does not exist. (UNKNOWN_DATABASE)`);
    }
    const run = role === 'admin' ? this.runAsAdmin(sql, queryId) : this.runAsAnalyst(sql, queryId);
    try {
      const { output, summary } = await run;
      reply.header('X-ClickHouse-Format', sql.format).header('X-ClickHouse-Summary', JSON.stringify(summary)).type(contentType(sql.format));
      const framed = sql.compress ? await framedYielding(output) : output;
      if (sql.gzip) return void reply.header('Content-Encoding', 'gzip').send(gzipSync(framed));
      return void reply.send(framed);
    } catch (error) {
      const code = Number((error as ClickHouseError).code) || 1002;
      const type = (error as ClickHouseError).type;
      const message = (error as Error).message;
      return this.fail(reply, code, type && !message.includes(`(${type})`) ? `${message} (${type})` : message);
    }
  }

  /** Which user the credentials are, if any: each password compared in constant time, and only if configured. */
  private authenticate(user: string, password: string): 'analyst' | 'admin' | undefined {
    const { analyst, admin } = this.config.clickhouseHttp;
    if (analyst.password !== undefined && user === analyst.user && matchesSecret(password, [analyst.password])) return 'analyst';
    if (admin.password !== undefined && user === admin.user && matchesSecret(password, [admin.password])) return 'admin';
    return undefined;
  }

  /** In the analysts' queue, on their session: each query starts when the one before has ended. */
  private runAsAnalyst(sql: SqlRequest, queryId: string): Promise<QueryOutput> {
    const run = this.queue.then(async () => {
      if (sql.database !== undefined && sql.database !== this.database) {
        await useDatabase(this.session!, sql.database);
        this.database = sql.database;
      }
      return execute(this.session!, sql, queryId);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** On a session of the request's own, closed with it. */
  private async runAsAdmin(sql: SqlRequest, queryId: string): Promise<QueryOutput> {
    const session = openSeparateSession(this.config.clickhouse);
    try {
      await useDatabase(session, sql.database ?? this.config.clickhouse.database);
      return await execute(session, sql, queryId);
    } finally {
      await session.close();
    }
  }

  private fail(reply: FastifyReply, code: number, message: string): void {
    reply
      .status(statusOf(code))
      .header('X-ClickHouse-Exception-Code', String(code))
      .type('text/plain; charset=UTF-8')
      .send(exceptionText(code, message));
  }
}

interface QueryOutput {
  output: Buffer;
  summary: unknown;
}

/** One query, its output whole (chDB materialises results anyway) and ClickHouse's summary of it. */
async function execute(session: ClickHouseClient, sql: SqlRequest, queryId: string): Promise<QueryOutput> {
  const result = await session.exec({
    query: sql.query,
    query_params: sql.params,
    query_id: queryId,
    // The caller's settings as given: a read-only session refuses any change, as a server would.
    clickhouse_settings: { ...sql.settings, ...(sql.formatInQuery ? {} : { default_format: sql.format }) } as ClickHouseSettings,
  });
  const chunks: Buffer[] = [];
  for await (const chunk of result.stream) chunks.push(Buffer.from(chunk as Buffer));
  return { output: Buffer.concat(chunks), summary: result.summary ?? {} };
}

/** Makes `database` the session's current one (validated as a plain identifier before it gets here). */
async function useDatabase(session: ClickHouseClient, database: string): Promise<void> {
  await session.command({ query: `USE \`${database}\`` });
}

/** `output` as ClickHouse's compressed blocks, one FRAMED_BLOCK at a time with the event loop free in between. */
async function framedYielding(output: Buffer): Promise<Buffer> {
  const blocks: Buffer[] = [];
  for (const block of compressedBlocks(output, FRAMED_BLOCK)) {
    blocks.push(block);
    await nextTurn();
  }
  return Buffer.concat(blocks);
}
