import { ClickHouseClient, ClickHouseError, ClickHouseSettings } from '@clickhouse/client';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import Fastify, { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { matchesSecret } from '../auth/secrets';
import { ANALYST_LOG_COMMENT, openSeparateSession } from '../clickhouse/clickhouse.client';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { decide, FunctionCatalogue, FunctionInfo } from './analyst-policy';
import { compressedBlocks, fromCompressedBlocks } from './compressed-blocks';
import { LoginLimiter } from './login-limiter';
import { contentType, credentials, exceptionText, parseRequest, SqlRequest, statusOf } from './protocol';
import { parameterText, quoteString } from '../clickhouse/sql-string';

/** Largest request body (the query): ClickHouse's own default for a query is 256 KiB; bodies here are queries only. */
const MAX_QUERY_BYTES = 1_048_576;
/**
 * compress=1 answers go out in blocks of this size, the event loop free between two: each takes about 2 ms to
 * checksum here (31 ms per MiB), and the loop also serves the service's reads.
 */
const FRAMED_BLOCK = 65_536;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A query_id the interface honours: it names the query in KILL QUERY, so it is kept to plain characters. */
const QUERY_ID = /^[A-Za-z0-9_.:-]{1,128}$/;
/** Analyst queries that run at once (each on ANALYST_MAX_THREADS at a low OS priority); the rest wait their turn. */
const ANALYST_RUNNING = 2;
/**
 * The interface's two users, by name (were ANALYST_USER and ADMIN_USER): what clients send as the user; only the
 * passwords are settings. Fixed names are what the analyst guide and the JDBC and client examples show.
 */
export const ANALYST_USER = 'analyst';
export const ADMIN_USER = 'admin';
/**
 * Loopback only (was CLICKHOUSE_HTTP_HOST): the interface speaks plain HTTP with passwords in it, so it is reached
 * through a TLS proxy or an SSH tunnel, never opened on another address by a setting.
 */
export const CLICKHOUSE_HTTP_HOST = '127.0.0.1';
/**
 * An analyst query's threads and memory (were ANALYST_MAX_THREADS and ANALYST_MAX_MEMORY_BYTES): one thread, so
 * that on the 2 cores of a small node ingestion and the refresh keep the other (docs/operations.md measured a second
 * thread slowing ingestion's write 1.5×), and 1 GiB, so that an analyst cannot take the memory the engine needs to
 * ingest; the time and bytes an analyst may take stay settings.
 */
const ANALYST_MAX_THREADS = 1;
const ANALYST_MAX_MEMORY_BYTES = 1_073_741_824;
/**
 * An analyst answer's rows at most (was ANALYST_MAX_RESULT_ROWS): a million, a spreadsheet's worth; the byte limit
 * (ANALYST_MAX_RESULT_BYTES) is what protects the process, this one only turns a forgotten LIMIT into a clear error.
 */
const ANALYST_MAX_RESULT_ROWS = 1_000_000;
/**
 * The nice value of an analyst's session and query threads (ClickHouse's os_thread_priority; was
 * ANALYST_OS_THREAD_PRIORITY): 19, the lowest, so the service's engine threads (nice 10) and the event loop (0) take
 * the CPU whenever they want it (bench:analyst-priority measured it).
 */
const ANALYST_OS_THREAD_PRIORITY = 19;
/** Analyst queries that may wait; one more is a 503 with Retry-After. */
const ANALYST_WAITING = 16;
/** Settings that @clickhouse/client and JDBC send for HTTP itself, not for the query: accepted and not applied. */
const HTTP_SETTINGS = new Set([
  'wait_end_of_query',
  'send_progress_in_http_headers',
  'http_headers_progress_interval_ms',
  'enable_http_compression',
  'http_zlib_compression_level',
]);
/** An analyst query's log_comment: the row policy on system.processes shows it to analysts only (clickhouse.client.ts). */
const mark = (queryId: string) => `${ANALYST_LOG_COMMENT}:${queryId}`;
const gzipAsync = promisify(gzip);

/**
 * ClickHouse's HTTP interface (the protocol of port 8123) over the embedded engine, for analysts' own clients:
 * @clickhouse/client, curl, JDBC, Grafana, DBeaver. Off in server mode (analysts then use the server) and unless a
 * user is configured. Two users:
 * - The analyst (ANALYST_PASSWORD): each request on an engine session of its own that ends with it, given the limits
 *   and readonly=1. The engine runs in local mode (one user with every grant, no path checks), so before a query
 *   runs, the engine's own parse of it (EXPLAIN AST) is checked against analyst-policy.ts: reading statements, the
 *   viewrank database and harmless system tables, functions that compute on their arguments. Its parameters are
 *   bound on its own session (SET param_…), never through the embedded binding's process-wide chain, so a long
 *   analyst query never makes the service's queries wait. Two run at a time, at a low OS priority.
 * - The administrator (ADMIN_PASSWORD): any statement, no limits, each request on a session of its own that ends
 *   with it, so a request's settings apply to it alone, as ClickHouse's HTTP interface does without session_id. For
 *   operators, and for a server-mode viewrank pointed at this one (test/server-mode.int-spec.ts).
 */
@Injectable()
export class ClickHouseHttpServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ClickHouseHttpServer.name);
  private server?: FastifyInstance;
  private readonly logins = new LoginLimiter();
  private functions?: FunctionCatalogue;
  /** Analyst queries waiting or running now, by their query_id: cancelled before it starts, or marked in the engine. */
  private readonly running = new Map<string, { cancelled: boolean }>();
  private readonly slots = new Slots(ANALYST_RUNNING, ANALYST_WAITING);

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get enabled(): boolean {
    const { analyst, admin } = this.config.clickhouseHttp;
    return !this.config.clickhouse.url && (analyst.password !== undefined || admin.password !== undefined);
  }

  /** After the migrations (module init): the analyst sees the schema from the first query. */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.enabled) return;
    const { port, analyst, admin } = this.config.clickhouseHttp;
    const host = CLICKHOUSE_HTTP_HOST;
    if (analyst.password !== undefined) this.functions = await loadFunctions(this.config.clickhouse);
    const server = Fastify({ bodyLimit: MAX_QUERY_BYTES });
    server.removeAllContentTypeParsers();
    // Bytes: with decompress=1 the body is ClickHouse's compressed blocks.
    server.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    server.get('/ping', async (_request, reply) => reply.type('text/plain; charset=UTF-8').send('Ok.\n'));
    server.route({ method: ['GET', 'POST'], url: '/', handler: (request, reply) => this.handle(request, reply) });
    await server.listen({ host, port });
    this.server = server;
    const users = [
      ...(analyst.password !== undefined ? [`${ANALYST_USER} (read-only)`] : []),
      ...(admin.password !== undefined ? [`${ADMIN_USER} (administrator)`] : []),
    ];
    this.logger.log(`ClickHouse HTTP interface on http://${host}:${port}, users: ${users.join(', ')}`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.server?.close();
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
    const waitMs = this.logins.retryAfterMs(request.ip);
    if (waitMs > 0) {
      reply.status(429).header('Retry-After', String(Math.ceil(waitMs / 1000)));
      return this.fail(
        reply,
        516,
        `${user}: Authentication failed: too many wrong passwords from this address; try again later. (AUTHENTICATION_FAILED)`,
        429,
      );
    }
    const role = this.authenticate(user, password);
    if (role === undefined) {
      this.logins.failed(request.ip);
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
    try {
      const { output, summary } = role === 'admin' ? await this.runAsAdmin(sql, queryId) : await this.runAsAnalyst(sql, queryId);
      reply.header('X-ClickHouse-Format', sql.format).header('X-ClickHouse-Summary', JSON.stringify(summary)).type(contentType(sql.format));
      const framed = sql.compress ? await framedYielding(output) : output;
      // On libuv's thread pool, not the event loop that serves the service's reads.
      if (sql.gzip) return void reply.header('Content-Encoding', 'gzip').send(await gzipAsync(framed));
      return void reply.send(framed);
    } catch (error) {
      if (error instanceof Busy) reply.header('Retry-After', '1');
      const code = Number((error as ClickHouseError).code) || 1002;
      const type = (error as ClickHouseError).type;
      const message = (error as Error).message;
      return this.fail(
        reply,
        code,
        type && !message.includes(`(${type})`) ? `${message} (${type})` : message,
        error instanceof Busy ? 503 : undefined,
      );
    }
  }

  /** Which user the credentials are, if any: each password compared in constant time, and only if configured. */
  private authenticate(user: string, password: string): 'analyst' | 'admin' | undefined {
    const { analyst, admin } = this.config.clickhouseHttp;
    if (analyst.password !== undefined && user === ANALYST_USER && matchesSecret(password, [analyst.password])) return 'analyst';
    if (admin.password !== undefined && user === ADMIN_USER && matchesSecret(password, [admin.password])) return 'admin';
    return undefined;
  }

  /**
   * On an engine session of the request's own: its parameters bound there, its parse checked (analyst-policy.ts), then
   * in its turn the limits and readonly=1 set and the query run. KILL QUERY of the analyst's own query does not wait.
   */
  private async runAsAnalyst(sql: SqlRequest, queryId: string): Promise<QueryOutput> {
    const user = ANALYST_USER;
    if (!QUERY_ID.test(queryId)) throw clickHouseError(36, `query_id must be 1 to 128 of A-Z, a-z, 0-9, _, ., : and -. (BAD_ARGUMENTS)`);
    if (this.running.has(queryId)) throw duplicate(queryId);
    if (sql.database !== undefined && sql.database !== this.config.clickhouse.database) {
      throw clickHouseError(
        291,
        `${user}: Not enough privileges: analysts read the database ${this.config.clickhouse.database} (and system tables by their full names). (DATABASE_ACCESS_DENIED)`,
      );
    }
    for (const name of Object.keys(sql.settings)) {
      if (!HTTP_SETTINGS.has(name)) throw clickHouseError(164, `Cannot modify '${name}' setting in readonly mode. (READONLY)`);
    }
    const entry = { cancelled: false };
    const session = openSeparateSession(this.config.clickhouse);
    try {
      // The analyst's low OS priority from the session's first call, not only for its query: binding, parsing and
      // checking it are half a dozen engine calls a request, which at nice 0 took the CPU from the service's engine
      // threads (nice ENGINE_THREAD_NICE) under a loop of small requests.
      await useDatabase(session, this.config.clickhouse.database, {
        os_thread_priority: String(ANALYST_OS_THREAD_PRIORITY),
      });
      for (const [name, value] of Object.entries(sql.params)) {
        if (!IDENTIFIER.test(name))
          throw clickHouseError(36, `Query parameter names are identifiers: ${JSON.stringify(name)}. (BAD_ARGUMENTS)`);
        await session.command({ query: `SET param_${name} = ${quoteString(value)}` });
      }
      const decision = decide(await explain(session, sql.statement), {
        database: this.config.clickhouse.database,
        databases: new Set((await rowsOf<{ name: string }>(session, 'SELECT name FROM system.databases')).map((r) => r.name)),
        functions: this.functions!,
        user,
      });
      if (!decision.allowed) throw clickHouseError(decision.code, decision.message);
      if (decision.kind === 'kill') return await this.killOwn(session, decision.queryId);
      if (this.running.has(queryId)) throw duplicate(queryId);
      this.running.set(queryId, entry);
      const release = await this.slots.acquire().catch((error: unknown) => {
        this.running.delete(queryId);
        throw error;
      });
      try {
        // The limits first, readonly last: in readonly mode not even a limit can be set any more.
        const { limits } = this.config.clickhouseHttp;
        await session.command({
          query: 'SELECT 1',
          clickhouse_settings: {
            ...limits,
            max_result_rows: String(ANALYST_MAX_RESULT_ROWS),
            os_thread_priority: String(ANALYST_OS_THREAD_PRIORITY),
            max_threads: ANALYST_MAX_THREADS,
            max_memory_usage: String(ANALYST_MAX_MEMORY_BYTES),
            result_overflow_mode: 'throw',
            allow_introspection_functions: 0,
            log_comment: mark(queryId),
            readonly: '1',
          },
        });
        if (entry.cancelled) throw clickHouseError(394, 'Query was cancelled before it started. (QUERY_WAS_CANCELLED)');
        const result = await execute(session, { ...sql, query: sql.statement, formatInQuery: false, params: {}, settings: {} }, queryId);
        if (result.output.length > Number(limits.max_result_bytes)) {
          throw clickHouseError(
            396,
            `Limit for result exceeded: the answer is ${result.output.length} bytes, the maximum ${limits.max_result_bytes}. (TOO_MANY_ROWS_OR_BYTES)`,
          );
        }
        return result;
      } finally {
        this.running.delete(queryId);
        release();
      }
    } finally {
      await session.close();
    }
  }

  /** Cancels the analyst's query `queryId` if it is running; an id of nobody's query cancels nothing, as on a server. */
  private async killOwn(session: ClickHouseClient, queryId: string): Promise<QueryOutput> {
    const entry = this.running.get(queryId);
    if (entry === undefined) return { output: Buffer.alloc(0), summary: {} };
    // Waiting for its turn: it will not start. Running: the engine cancels it.
    entry.cancelled = true;
    await session.command({ query: `SET param_viewrank_mark = ${quoteString(parameterText(mark(queryId)))}` });
    // As an analyst's session, the only kind that sees analysts' queries in system.processes.
    await session.command({
      query: "KILL QUERY WHERE Settings['log_comment'] = {viewrank_mark:String} ASYNC",
      clickhouse_settings: { log_comment: mark('kill') },
    });
    return { output: Buffer.from(`waiting\t${queryId}\t${ANALYST_USER}\n`), summary: {} };
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

  private fail(reply: FastifyReply, code: number, message: string, status = statusOf(code)): void {
    reply
      .status(status)
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
  return { output: await bytesOf(result.stream), summary: result.summary ?? {} };
}

/** A result's stream, whole (chDB materialises results anyway). */
async function bytesOf(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

/** Makes `database` the session's current one (validated as a plain identifier before it gets here), with `settings`. */
async function useDatabase(session: ClickHouseClient, database: string, settings: ClickHouseSettings = {}): Promise<void> {
  // chDB applies a call's settings to its session with SET, where they stay for the session's later calls.
  await session.command({ query: `USE \`${database}\``, clickhouse_settings: settings });
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

/** The engine's parse of `statement` (the query without its FORMAT clause), as EXPLAIN AST prints it. */
async function explain(session: ClickHouseClient, statement: string): Promise<string> {
  // One statement, or the engine would run the ones after it: ClickHouse's own parser says (formatQuery refuses
  // several), with the text bound as a parameter of this session.
  await session.command({ query: `SET param_viewrank_statement = ${quoteString(parameterText(statement))}` });
  await session.command({ query: 'SELECT formatQuerySingleLine({viewrank_statement:String}) FORMAT Null' });
  const result = await session.exec({
    query: `EXPLAIN AST ${statement}`,
    clickhouse_settings: { default_format: 'TabSeparatedRaw' },
  });
  return (await bytesOf(result.stream)).toString('utf8');
}

async function rowsOf<T>(session: ClickHouseClient, query: string): Promise<T[]> {
  return (await session.query({ query, format: 'JSONEachRow' })).json<T>();
}

/** system.functions, once at start, on a session closed after it. */
async function loadFunctions(config: AppConfig['clickhouse']): Promise<FunctionCatalogue> {
  const session = openSeparateSession(config);
  try {
    const rows = await rowsOf<{ name: string; category: string; case_insensitive: number; alias_to: string }>(
      session,
      'SELECT name, categories AS category, case_insensitive, alias_to FROM system.functions',
    );
    return new FunctionCatalogue(
      rows.map((r): FunctionInfo => ({
        name: r.name,
        category: r.category,
        caseInsensitive: Number(r.case_insensitive) === 1,
        aliasTo: r.alias_to,
      })),
    );
  } finally {
    await session.close();
  }
}

function duplicate(queryId: string): Error {
  return clickHouseError(216, `Query with id = ${queryId} is already running. (QUERY_WITH_SAME_ID_IS_ALREADY_RUNNING)`);
}

/** An error that the interface answers as ClickHouse would: its code and message. */
function clickHouseError(code: number, message: string): Error {
  return Object.assign(new Error(message), { code: String(code) });
}

/** The analyst queue is full: 503 with Retry-After. */
class Busy extends Error {
  readonly code = '202';
}

/** `running` at once, `waiting` more in order; past that, acquire() fails with Busy. */
class Slots {
  private active = 0;
  private readonly queue: (() => void)[] = [];

  constructor(
    private readonly running: number,
    private readonly waiting: number,
  ) {}

  async acquire(): Promise<() => void> {
    if (this.active >= this.running) {
      if (this.queue.length >= this.waiting) {
        throw new Busy(
          `Too many analyst queries: ${this.running} running and ${this.waiting} waiting. Retry later. (TOO_MANY_SIMULTANEOUS_QUERIES)`,
        );
      }
      await new Promise<void>((resolve) => this.queue.push(resolve));
    } else {
      this.active++;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.queue.shift();
      if (next) next();
      else this.active--;
    };
  }
}
