// Builds the one @clickhouse/client the service uses: a ClickHouse server over HTTP when CLICKHOUSE_URL
// is set, otherwise embedded ClickHouse (chDB) in this process on a data directory.
import { ClickHouseClient, ClickHouseLogLevel, ClickHouseSettings, createClient } from '@clickhouse/client';
import type * as Chdb from 'chdb';
import type * as ChdbConnection from 'chdb/connection';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AppConfig } from '../config/app-config';
import { ClickHouseClientLogger } from './client-logger';
import { CLUSTER_QUERY_SETTINGS } from './cluster';
import { clickhouseDir } from './sql-files';

/** The client's warnings and errors, through the service's JSON logger (client-logger.ts). */
const CLIENT_LOG = { LoggerClass: ClickHouseClientLogger, level: ClickHouseLogLevel.WARN };

type ChdbAsClientConnection = NonNullable<Parameters<typeof createClient>[0]>['connection'];

export interface ClickHouseHandle {
  client: ClickHouseClient;
  mode: 'embedded' | 'server';
  close(): Promise<void>;
}

/**
 * The embedded engine's configuration: clickhouse/embedded-config.xml, plus its log, its memory tracker and the
 * ZooKeeper ensemble where the Kafka engine keeps its offsets (INGEST_GUARANTEE=exactly-once). ZooKeeper is always given, in either guarantee: a data directory whose
 * queue table keeps its offsets in ZooKeeper does not open without it, and switching back to at-least-once has to
 * open it to drop that table. ClickHouse connects only when a table needs it.
 */
export function embeddedEngineConfig(zookeeper: AppConfig['zookeeper'], logLevel: string): string {
  const nodes = zookeeper.hosts.map((n) => `      <node><host>${xmlText(n.host)}</host><port>${n.port}</port></node>`).join('\n');
  const sections = [
    `  <zookeeper>\n${nodes}\n      <session_timeout_ms>${zookeeper.sessionTimeoutMs}</session_timeout_ms>\n  </zookeeper>`,
    // The engine's own log: JSON lines on stderr (the service's are on stdout), from ENGINE_LOG_LEVEL up. Not to a
    // file: ClickHouse announces a log file in plain text on stderr.
    `  <logger>\n    <level>${xmlText(logLevel)}</level>\n    <console>1</console>\n    <formatting><type>json</type></formatting>\n  </logger>`,
    // The memory tracker corrects itself from jemalloc's figure rather than the cgroup's: in this process the cgroup
    // also counts Node's heap and the page cache, which are not the engine's. It is also what the engine falls back to
    // where /sys/fs/cgroup is hidden, after a plain-text warning with a stack trace ("Cannot use cgroups reader").
    '  <memory_worker_use_cgroup>0</memory_worker_use_cgroup>',
  ];
  // Here rather than in clickhouse/embedded-config.xml, which a ClickHouse server mounts too (docker/): these are the
  // embedded engine's alone.
  return readFileSync(join(clickhouseDir(), 'embedded-config.xml'), 'utf8').replace(
    /<\/clickhouse>\s*$/,
    `${sections.join('\n')}\n</clickhouse>\n`,
  );
}

function xmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function openClickHouse(config: AppConfig['clickhouse'], zookeeper: AppConfig['zookeeper']): ClickHouseHandle {
  if (config.url) {
    const client = createClient({
      url: config.url,
      username: config.user,
      password: config.password,
      request_timeout: 30_000,
      clickhouse_settings: { date_time_output_format: 'iso', ...(config.cluster ? CLUSTER_QUERY_SETTINGS : {}) },
      log: CLIENT_LOG,
    });
    return { client, mode: 'server', close: () => client.close() };
  }
  // chDB is loaded here only: server mode never loads the embedded engine (566 MB, and prebuilt for linux-x64 only,
  // where other platforms fail with ChdbPlatformUnsupportedError at load).
  const { Session } = loadChdb();
  const path = resolve(config.chdbPath);
  mkdirSync(path, { recursive: true });
  // chDB runs one engine per process, shared by every session on the same path. This first session starts
  // it with our server configuration (librdkafka settings, ZooKeeper), which a connection alone cannot pass. The file
  // is written beside the data it configures, so an operator sees what the engine was started with.
  const configFile = join(path, 'viewrank-engine-config.xml');
  writeFileSync(configFile, embeddedEngineConfig(zookeeper, config.engineLogLevel));
  // chDB sets the logger's level from its own argument, over the file's.
  const engine = new Session(path, { connectionArgs: [`--config-file=${configFile}`, `--log-level=${config.engineLogLevel}`] });
  const client = chdbClient(path, { date_time_output_format: 'iso' });
  return {
    client,
    mode: 'embedded',
    close: async () => {
      await client.close();
      engine.close();
    },
  };
}

/** chDB, or an error that says what to do where it has no engine (the server image, another platform). */
function loadChdb(): typeof Chdb {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a synchronous load on the embedded path alone
    return require('chdb') as typeof Chdb;
  } catch (error) {
    throw new Error(
      `embedded ClickHouse (chDB) cannot load here (${(error as Error).message.split('\n')[0]}): it ships for linux-x64 only, ` +
        'and the server image (ENGINE=server) has none. Set CLICKHOUSE_URL to use a ClickHouse server.',
    );
  }
}

/**
 * Embedded mode: a second connection to the engine, with a session of its own. chDB's adapter applies a query's
 * settings with SET on the connection's session, where they stay: so a session that is made read-only, or given
 * limits, must never be the service's (src/clickhouse-http/ gives one to analysts).
 */
export function openSeparateSession(config: AppConfig['clickhouse']): ClickHouseClient {
  if (config.url) throw new Error('a separate chDB session exists in embedded mode only');
  return chdbClient(resolve(config.chdbPath));
}

/** @clickhouse/client on a new chDB connection (a session of its own) to the engine of `path`. */
function chdbClient(path: string, settings?: ClickHouseSettings): ClickHouseClient {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- chDB is loaded on the embedded path only
  const { createChdbConnection } = require('chdb/connection') as typeof ChdbConnection;
  return createClient({
    // chdb implements @clickhouse/client-common's Connection; @clickhouse/client bundles its own copy of
    // those types, which TypeScript does not unify with the package's, hence the cast.
    connection: createChdbConnection({ path }) as unknown as ChdbAsClientConnection,
    clickhouse_settings: settings,
    log: CLIENT_LOG,
  });
}
