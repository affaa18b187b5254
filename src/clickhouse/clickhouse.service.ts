import { ClickHouseClient, ClickHouseSettings, ResultSet } from '@clickhouse/client';
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { ClickHouseHandle, openClickHouse, openSeparateSession, SERVICE_SESSION_SETTINGS } from './clickhouse.client';
import { setParams } from './session-params';
import { namedQuery } from './sql-files';
import { SqlQuery, SqlStatement } from './sql-query';

export type QueryParams = Record<string, unknown>;

/**
 * Engine sessions of their own in embedded mode (laneRows), by name: `lookups` for the videos' lookups, which a
 * request waits for; `last-hour` for the sliding hour's reads and `totals:<window>` for each growing window's, so that
 * the parts of a refresh run side by side instead of one after another.
 */
export type Lane = 'lookups' | 'last-hour' | `totals:${string}`;

/**
 * A lane's session settings: the service's, and room for its parameters. A lane binds them in a SET statement, which
 * the engine parses as SQL text, so ClickHouse's max_query_size (256 KiB by default) bounds them: a window's lookup of
 * 11,000 listed videos and those that grew came to more, and every refresh failed with code 62 until the list
 * changed (seen in 3 runs of 12 of bench:analyst). The binding's chain passes parameters beside the query, unbounded.
 */
const LANE_SESSION_SETTINGS: ClickHouseSettings = { ...SERVICE_SESSION_SETTINGS, max_query_size: String(64 * 1024 * 1024) };

/**
 * All ClickHouse access goes through here: named queries from clickhouse/queries, always with bound
 * parameters, and the configured database passed as the {db:Identifier} parameter.
 */
@Injectable()
export class ClickHouseService implements OnApplicationShutdown {
  private readonly logger = new Logger(ClickHouseService.name);
  private readonly handle: ClickHouseHandle;
  readonly database: string;
  /**
   * Embedded mode: each lane's engine session (laneRows), opened at its first query, and the tail of its queries: one
   * at a time, as each binds its parameters on the session before it runs.
   */
  private readonly lanes = new Map<Lane, { session: ClickHouseClient; tail: Promise<unknown> }>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.database = config.clickhouse.database;
    this.handle = openClickHouse(config.clickhouse, config.zookeeper);
    this.logger.log(
      this.handle.mode === 'server'
        ? `ClickHouse server at ${new URL(config.clickhouse.url!).origin}, database ${this.database}`
        : `embedded ClickHouse (chDB) in ${config.clickhouse.chdbPath}, database ${this.database}`,
    );
  }

  get mode(): 'embedded' | 'server' {
    return this.handle.mode;
  }

  get client(): ClickHouseClient {
    return this.handle.client;
  }

  /** Rows of a named query (clickhouse/queries/<name>.sql, declared with sql() in sql-query.ts). */
  async rows<P extends object, R>(query: SqlQuery<P, R>, params: P): Promise<R[]> {
    return (await this.result(query, params)).json<R>();
  }

  /** rows() as the engine answered them, JSON lines not yet parsed (for a thread that parses them itself). */
  async rowsText<P extends object, R>(query: SqlQuery<P, R>, params: P): Promise<string> {
    return (await this.result(query, params)).text();
  }

  private result<P extends object, R>(query: SqlQuery<P, R>, params: P) {
    return this.client.query({ query: namedQuery(query.name), query_params: { db: this.database, ...params }, format: 'JSONEachRow' });
  }

  /**
   * Rows of a named query that must not wait behind the others (a request, or another part of the refresh, is
   * waiting for them). In embedded mode the query runs on the lane's engine session with its parameters bound there
   * (session-params.ts), not through the binding's process-wide chain of parameterized queries, which runs every query
   * bound through it one after another; a lane's own queries run one at a time (the callers batch them). A server
   * runs queries side by side anyway: rows() there.
   */
  async laneRows<P extends object, R>(lane: Lane, query: SqlQuery<P, R>, params: P): Promise<R[]> {
    if (this.mode === 'server') return this.rows(query, params);
    return this.onLane(lane, query, params, (result) => result.json<R>());
  }

  /** laneRows() as the engine answered them, JSON lines not yet parsed. */
  async laneRowsText<P extends object, R>(lane: Lane, query: SqlQuery<P, R>, params: P): Promise<string> {
    if (this.mode === 'server') return this.rowsText(query, params);
    return this.onLane(lane, query, params, (result) => result.text());
  }

  private onLane<P extends object, R, T>(
    lane: Lane,
    query: SqlQuery<P, R>,
    params: P,
    read: (result: ResultSet<'JSONEachRow'>) => Promise<T>,
  ): Promise<T> {
    const entry = this.lanes.get(lane) ?? {
      session: openSeparateSession(this.config.clickhouse, LANE_SESSION_SETTINGS),
      tail: Promise.resolve(),
    };
    this.lanes.set(lane, entry);
    const { session } = entry;
    const run = entry.tail.then(async () => {
      await session.command({ query: setParams({ db: this.database, ...params }) });
      return read(await session.query({ query: namedQuery(query.name), format: 'JSONEachRow' }));
    });
    entry.tail = run.catch(() => undefined);
    return run;
  }

  /** Runs a named statement without result rows (e.g. INSERT … SELECT). */
  async run<P extends object>(statement: SqlStatement<P>, params: P, settings: ClickHouseSettings = {}): Promise<void> {
    await this.command(namedQuery(statement.name), params as QueryParams, settings);
  }

  /**
   * A statement without result rows (DDL, INSERT … SELECT), with bound parameters, and settings for it alone. The
   * embedded engine's adapter (chdb 3.4.0) applies a query's settings as `SET` statements on the session before it,
   * where they stayed for every later query: a deduplication token then made the next insert into a deduplicating
   * table a "repeat" and dropped it. So in embedded mode they are set back to their defaults once the statement ends.
   */
  async command(query: string, params: QueryParams = {}, settings: ClickHouseSettings = {}): Promise<void> {
    try {
      await this.client.command({ query, query_params: { db: this.database, ...params }, clickhouse_settings: settings });
    } finally {
      const names = Object.keys(settings);
      if (this.mode === 'embedded' && names.length > 0)
        await this.client.command({ query: `SET ${names.map((n) => `${n} = DEFAULT`).join(', ')}` });
    }
  }

  /** Rows of an ad-hoc statement with bound parameters (used by the migration runner). */
  async select<T>(query: string, params: QueryParams = {}): Promise<T[]> {
    const result = await this.client.query({ query, query_params: { db: this.database, ...params }, format: 'JSONEachRow' });
    return result.json<T>();
  }

  async onApplicationShutdown(): Promise<void> {
    for (const { session, tail } of this.lanes.values()) {
      await tail;
      await session.close();
    }
    await this.handle.close();
  }
}
