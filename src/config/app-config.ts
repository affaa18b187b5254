// Every setting the service reads, declared once: parsed from the environment, validated, then typed.
import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min, MinLength, ValidationError, validateSync } from 'class-validator';

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?[0-9]+$/.test(value.trim()) ? Number(value.trim()) : value;

/** LOG_LEVEL's accepted names and the pino level each means. */
export const LOG_LEVELS: Record<string, string> = {
  trace: 'trace',
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  error: 'error',
  fatal: 'fatal',
  // Nest's names, kept as aliases.
  log: 'info',
  verbose: 'trace',
};

/** ENGINE_LOG_LEVEL's names: ClickHouse's own (its logger's `level`). */
export const ENGINE_LOG_LEVELS = ['none', 'fatal', 'critical', 'error', 'warning', 'notice', 'information', 'debug', 'trace'];

/** Environment variables as strings, with defaults; names match the configuration table (docs/configuration.md). */
export class EnvironmentVariables {
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT = 3000;

  @IsString()
  @MinLength(1)
  HOST = '127.0.0.1';

  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  CLICKHOUSE_URL?: string;

  /**
   * Server mode on a ClickHouse cluster: the cluster's name in the servers' remote_servers, and their macro
   * `cluster`. The schema is clickhouse/cluster/ (Replicated tables, Distributed ones over them).
   */
  @IsOptional()
  @Matches(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, { message: 'CLICKHOUSE_CLUSTER must be a plain identifier ([A-Za-z_][A-Za-z0-9_]*)' })
  CLICKHOUSE_CLUSTER?: string;

  @IsString()
  CLICKHOUSE_USER = 'default';

  @IsString()
  CLICKHOUSE_PASSWORD = '';

  @Matches(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, { message: 'CLICKHOUSE_DATABASE must be a plain identifier ([A-Za-z_][A-Za-z0-9_]*)' })
  CLICKHOUSE_DATABASE = 'viewrank';

  @IsString()
  @MinLength(1)
  CHDB_PATH = './data';

  @Matches(/^[^,\s]+:[0-9]+(,[^,\s]+:[0-9]+)*$/, { message: 'KAFKA_BROKERS must be a comma-separated list of host:port' })
  KAFKA_BROKERS = '127.0.0.1:9092';

  @IsOptional()
  @Matches(/^[^,\s]+:[0-9]+(,[^,\s]+:[0-9]+)*$/, { message: 'CLICKHOUSE_KAFKA_BROKERS must be a comma-separated list of host:port' })
  CLICKHOUSE_KAFKA_BROKERS?: string;

  @Matches(/^[A-Za-z0-9._-]{1,249}$/, { message: 'KAFKA_TOPIC must be a valid Kafka topic name' })
  KAFKA_TOPIC = 'video-views';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  KAFKA_TOPIC_PARTITIONS = 4;

  @Matches(/^[A-Za-z0-9._-]{1,249}$/, { message: 'KAFKA_GROUP must be a valid consumer group id' })
  KAFKA_GROUP = 'viewrank';

  /**
   * Kafka engine consumers, each a thread of its own with its share of the partitions. Exactly once, each block is one
   * partition's poll parsed and written by one thread: two drained 2.2x one on two cores (bench/RESULTS.md).
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(64)
  KAFKA_CONSUMERS = 2;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(60000)
  KAFKA_FLUSH_INTERVAL_MS = 1000;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  KAFKA_MAX_BLOCK_SIZE = 1_048_576;

  /**
   * The format of the views topic's messages, in ClickHouse's name. JSONEachRow (the default contract): a JSON object
   * per line. TSV: `video_id<TAB>ts` per line, escaped as ClickHouse's TabSeparated format escapes (\\, \t, \n):
   * parsed 2.6x faster (bench/RESULTS.md), for producers that can send it. One topic has one format; the service's
   * own HTTP ingest writes in it too.
   */
  @IsIn(['JSONEachRow', 'TSV'])
  KAFKA_FORMAT: 'JSONEachRow' | 'TSV' = 'JSONEachRow';

  /**
   * exactly-once: the Kafka engine keeps its offsets in Keeper/ZooKeeper and every counting table drops a replayed
   * block; at-least-once: offsets in the consumer group only, and a block replayed after a fault is counted again.
   */
  @IsIn(['exactly-once', 'at-least-once'])
  INGEST_GUARANTEE: 'exactly-once' | 'at-least-once' = 'exactly-once';

  /** Embedded mode: the ZooKeeper ensemble (host:port, comma-separated) where ClickHouse keeps the Kafka offsets. */
  @Matches(/^[^,\s]+:[0-9]+(,[^,\s]+:[0-9]+)*$/, { message: 'ZOOKEEPER_HOSTS must be a comma-separated list of host:port' })
  ZOOKEEPER_HOSTS = '127.0.0.1:2181';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3_600_000)
  REFRESH_INTERVAL_MS = 1000;

  @Transform(toInt)
  @IsInt()
  @Min(2)
  @Max(8760)
  RETENTION_MINUTE_HOURS = 3;

  @Transform(toInt)
  @IsInt()
  @Min(32)
  @Max(36500)
  RETENTION_HOUR_DAYS = 35;

  @Transform(toInt)
  @IsInt()
  @Min(2)
  @Max(1200)
  RETENTION_MONTH_MONTHS = 13;

  /** Past windows' lists kept in memory; the least recently used goes first. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100_000)
  PAST_WINDOW_CACHE = 100;

  /** GET /views/top-k/stream: clients at once; one more gets 503. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100_000)
  STREAM_MAX_CLIENTS = 1000;

  /** How late a view may arrive and still count in last-hour: a minute's counts are frozen this long after it ends. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(600_000)
  LATE_TOLERANCE_MS = 30_000;

  /** pino's names, which every log pipeline knows, and Nest's two others as aliases (log = info, verbose = trace). */
  @IsIn(Object.keys(LOG_LEVELS), { message: `LOG_LEVEL must be one of: ${Object.keys(LOG_LEVELS).join(', ')}` })
  LOG_LEVEL = 'info';

  /** How often ingestion totals and Kafka consumer lag are read for /metrics and readiness. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(600_000)
  INGEST_POLL_INTERVAL_MS = 10_000;

  /** On SIGTERM, readiness fails at once and the service keeps answering this long before it closes. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(120_000)
  SHUTDOWN_DRAIN_MS = 5_000;

  /** Bearer tokens accepted by POST /views, comma-separated, each 16 to 256 visible characters. Unset: HTTP ingest is off. */
  @IsOptional()
  @Matches(/^[\x21-\x2b\x2d-\x7e]{16,256}(,[\x21-\x2b\x2d-\x7e]{16,256})*$/, {
    message: 'INGEST_TOKENS must be a comma-separated list of tokens of 16 to 256 visible characters',
  })
  INGEST_TOKENS?: string;

  /** Requests per client (token, or address without one) per minute (INGEST_RATE_WINDOW_MS) on POST /views. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  INGEST_RATE_LIMIT = 120;

  /** If set, GET /views/top-k requires this key in the X-Api-Key header (16 to 256 visible characters). */
  @IsOptional()
  @Matches(/^[\x21-\x7e]{16,256}$/, { message: 'READ_API_KEY must be 16 to 256 visible characters' })
  READ_API_KEY?: string;

  /** Embedded mode: ClickHouse's HTTP interface for analysts, on its own port (src/clickhouse-http/). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65535)
  CLICKHOUSE_HTTP_PORT = 8123;

  /** Unset: the HTTP interface stays off. */
  @IsOptional()
  @Matches(/^[\x21-\x7e]{12,256}$/, { message: 'ANALYST_PASSWORD must be 12 to 256 visible characters' })
  ANALYST_PASSWORD?: string;

  /** Limits on every analyst query, protecting ingestion and the refresh on a shared machine (the rest: clickhouse-http.server.ts). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(86_400)
  ANALYST_MAX_EXECUTION_TIME_S = 60;

  /** An analyst's answer in bytes at most (ClickHouse's max_result_bytes, and the answer as sent): held in memory once. */
  @Transform(toInt)
  @IsInt()
  @Min(1_048_576)
  @Max(1_073_741_824)
  ANALYST_MAX_RESULT_BYTES = 104_857_600;

  @IsOptional()
  @Matches(/^[\x21-\x7e]{12,256}$/, { message: 'ADMIN_PASSWORD must be 12 to 256 visible characters' })
  ADMIN_PASSWORD?: string;

  /**
   * Embedded mode: the engine's own log, JSON lines on stderr (ClickHouse's logger in its JSON format), from this
   * level up; ClickHouse's level names. Not warning by default: the engine's background pool warns that it pauses a
   * task every second or two per Kafka consumer, and hundreds of times at start-up.
   */
  @IsIn(ENGINE_LOG_LEVELS, { message: `ENGINE_LOG_LEVEL must be one of: ${ENGINE_LOG_LEVELS.join(', ')}` })
  ENGINE_LOG_LEVEL = 'error';
}

/**
 * The typed configuration the rest of the code receives: what toAppConfig returns, so a setting is declared once (its
 * field above, with default, validation and meaning) and mapped once (toAppConfig). The table in
 * docs/configuration.md is checked against the fields (test/config-table.spec.ts).
 */
export type AppConfig = ReturnType<typeof toAppConfig>;

export class ConfigError extends Error {}

/** Settings whose values are never printed, not even in a validation error. */
export const SECRET_SETTINGS = ['CLICKHOUSE_PASSWORD', 'INGEST_TOKENS', 'READ_API_KEY', 'ANALYST_PASSWORD', 'ADMIN_PASSWORD'];

/**
 * The names of every setting, in declaration order. Optional settings are own properties too (class fields are
 * defined even without a value, target ES2022), so the class alone lists them.
 */
export const SETTING_NAMES = Object.keys(new EnvironmentVariables());

/**
 * Parses and validates the environment; throws one ConfigError naming every bad variable. Unknown variables are
 * ignored; empty ones count as unset.
 */
export function validateEnvironment(env: Record<string, unknown>): EnvironmentVariables {
  const given = Object.fromEntries(
    Object.entries(env).filter(([key, value]) => value !== undefined && value !== '' && SETTING_NAMES.includes(key)),
  );
  const vars = plainToInstance(EnvironmentVariables, given, { exposeDefaultValues: true });
  const errors = validateSync(vars, { whitelist: true });
  if (errors.length > 0) {
    const shown = (e: ValidationError) => (SECRET_SETTINGS.includes(e.property) ? '(hidden)' : JSON.stringify(e.value));
    const lines = errors.map((e) => `  ${e.property}=${shown(e)}: ${Object.values(e.constraints ?? {}).join('; ')}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  if (vars.CLICKHOUSE_CLUSTER !== undefined && vars.CLICKHOUSE_URL === undefined) {
    throw new ConfigError(
      `Invalid configuration:\n  CLICKHOUSE_CLUSTER=${JSON.stringify(vars.CLICKHOUSE_CLUSTER)}: needs CLICKHOUSE_URL (a cluster is server mode)`,
    );
  }
  if (vars.CLICKHOUSE_CLUSTER !== undefined && vars.INGEST_GUARANTEE !== 'exactly-once') {
    throw new ConfigError(
      `Invalid configuration:\n  INGEST_GUARANTEE=${JSON.stringify(vars.INGEST_GUARANTEE)}: a cluster (CLICKHOUSE_CLUSTER) ingests exactly-once only`,
    );
  }
  return vars;
}

/** Parses and validates; throws one ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  return toAppConfig(validateEnvironment(env));
}

/** The typed, grouped view of validated settings. */
export function toAppConfig(vars: EnvironmentVariables) {
  return {
    http: { port: vars.PORT, host: vars.HOST },
    clickhouse: {
      /** Absent: embedded ClickHouse (chDB) in this process. */
      url: vars.CLICKHOUSE_URL,
      user: vars.CLICKHOUSE_USER,
      password: vars.CLICKHOUSE_PASSWORD,
      database: vars.CLICKHOUSE_DATABASE,
      /** Server mode on a cluster: its name (clickhouse/cluster/); absent: one server or embedded. */
      cluster: vars.CLICKHOUSE_CLUSTER,
      chdbPath: vars.CHDB_PATH,
      /** Embedded mode: the engine's log level (ClickHouse's names). */
      engineLogLevel: vars.ENGINE_LOG_LEVEL,
    },
    kafka: {
      brokers: vars.KAFKA_BROKERS.split(','),
      /** The broker list as ClickHouse reaches it (differs from `brokers` when ClickHouse runs elsewhere). */
      clickhouseBrokers: vars.CLICKHOUSE_KAFKA_BROKERS ?? vars.KAFKA_BROKERS,
      topic: vars.KAFKA_TOPIC,
      topicPartitions: vars.KAFKA_TOPIC_PARTITIONS,
      group: vars.KAFKA_GROUP,
      consumers: vars.KAFKA_CONSUMERS,
      flushIntervalMs: vars.KAFKA_FLUSH_INTERVAL_MS,
      maxBlockSize: vars.KAFKA_MAX_BLOCK_SIZE,
      format: vars.KAFKA_FORMAT,
      guarantee: vars.INGEST_GUARANTEE,
    },
    /** Embedded mode: where chDB keeps the Kafka engine's offsets (server mode: the server's own Keeper). */
    zookeeper: {
      hosts: vars.ZOOKEEPER_HOSTS.split(',').map((hostPort) => {
        const at = hostPort.lastIndexOf(':');
        return { host: hostPort.slice(0, at), port: Number(hostPort.slice(at + 1)) };
      }),
    },
    /** 0 disables the schedule (refreshes then run only when asked, as tests do). */
    refreshIntervalMs: vars.REFRESH_INTERVAL_MS,
    retention: {
      minuteHours: vars.RETENTION_MINUTE_HOURS,
      hourDays: vars.RETENTION_HOUR_DAYS,
      monthMonths: vars.RETENTION_MONTH_MONTHS,
    },
    /** Past windows (GET /views/top-k?at=): lists kept in memory. */
    pastWindows: { cache: vars.PAST_WINDOW_CACHE },
    /** GET /views/top-k/stream. */
    stream: { maxClients: vars.STREAM_MAX_CLIENTS },
    /** A minute of last-hour is frozen this long after it ends; later views for it are set aside from last-hour. */
    lateToleranceMs: vars.LATE_TOLERANCE_MS,
    /** pino's level name. */
    logLevel: LOG_LEVELS[vars.LOG_LEVEL],
    ingestPollIntervalMs: vars.INGEST_POLL_INTERVAL_MS,
    /** How long the service keeps answering after SIGTERM, with readiness failing, before it closes. */
    shutdownDrainMs: vars.SHUTDOWN_DRAIN_MS,
    /** POST /views. No tokens: HTTP ingest is off. */
    httpIngest: {
      tokens: vars.INGEST_TOKENS ? vars.INGEST_TOKENS.split(',') : [],
      rateLimit: vars.INGEST_RATE_LIMIT,
    },
    /** Embedded mode, analysts' SQL: ClickHouse's HTTP protocol over the engine. No password at all: off. */
    clickhouseHttp: {
      port: vars.CLICKHOUSE_HTTP_PORT,
      analyst: { password: vars.ANALYST_PASSWORD },
      admin: { password: vars.ADMIN_PASSWORD },
      limits: {
        max_execution_time: vars.ANALYST_MAX_EXECUTION_TIME_S,
        max_result_bytes: String(vars.ANALYST_MAX_RESULT_BYTES),
      },
    },
    /** When set, reads need it in X-Api-Key. */
    readApiKey: vars.READ_API_KEY,
  };
}
