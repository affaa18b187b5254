import { ConfigError, loadConfig } from './app-config';

describe(loadConfig.name, () => {
  it('gives the documented defaults with an empty environment', () => {
    const config = loadConfig({});
    expect(config.clickhouse).toEqual({
      url: undefined,
      user: 'default',
      password: '',
      database: 'viewrank',
      chdbPath: './data',
      engineLogLevel: 'error',
    });
    expect(config.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(config.kafka.clickhouseBrokers).toBe('127.0.0.1:9092');
    expect(config.kafka.topic).toBe('video-views');
    expect(config.refreshIntervalMs).toBe(1000);
    expect(config.retention).toEqual({
      minuteHours: 3,
      hourDays: 35,
      monthMonths: 13,
    });
  });

  it('reads numbers and lists from strings', () => {
    const config = loadConfig({ PORT: '8080', KAFKA_BROKERS: 'a:1,b:2', REFRESH_INTERVAL_MS: '0', CLICKHOUSE_KAFKA_BROKERS: 'kafka:9092' });
    expect(config.http.port).toBe(8080);
    expect(config.kafka.brokers).toEqual(['a:1', 'b:2']);
    expect(config.kafka.clickhouseBrokers).toBe('kafka:9092');
    expect(config.refreshIntervalMs).toBe(0);
  });

  it('names every bad variable at once', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'eighty', CLICKHOUSE_DATABASE: 'drop table;', KAFKA_BROKERS: 'nohost', RETENTION_HOUR_DAYS: '3' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ['PORT', 'CLICKHOUSE_DATABASE', 'KAFKA_BROKERS', 'RETENTION_HOUR_DAYS']) expect(message).toContain(name);
  });

  it('takes a cluster in server mode with exactly-once ingestion only, and a topic replicated at least min.insync times', () => {
    const url = 'http://clickhouse-01:8123';
    expect(loadConfig({ CLICKHOUSE_URL: url, CLICKHOUSE_CLUSTER: 'viewrank' }).clickhouse.cluster).toBe('viewrank');
    expect(loadConfig({}).clickhouse.cluster).toBeUndefined();
    expect(() => loadConfig({ CLICKHOUSE_CLUSTER: 'viewrank' })).toThrow('CLICKHOUSE_CLUSTER="viewrank": needs CLICKHOUSE_URL');
    expect(() => loadConfig({ CLICKHOUSE_URL: url, CLICKHOUSE_CLUSTER: 'view rank' })).toThrow(
      'CLICKHOUSE_CLUSTER must be a plain identifier',
    );
    expect(() => loadConfig({ CLICKHOUSE_URL: url, CLICKHOUSE_CLUSTER: 'viewrank', INGEST_GUARANTEE: 'at-least-once' })).toThrow(
      'a cluster (CLICKHOUSE_CLUSTER) ingests exactly-once only',
    );
  });

  it("takes pino's level names, and Nest's as aliases", () => {
    const level = (LOG_LEVEL?: string) => loadConfig(LOG_LEVEL === undefined ? {} : { LOG_LEVEL }).logLevel;
    expect(level()).toBe('info');
    expect(['trace', 'debug', 'info', 'warn', 'error', 'fatal'].map(level)).toEqual(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);
    expect([level('log'), level('verbose')]).toEqual(['info', 'trace']);
    expect(() => level('INFO')).toThrow('LOG_LEVEL must be one of: trace, debug, info, warn, error, fatal, log, verbose');
  });

  it("takes ClickHouse's level names for the engine's own log", () => {
    expect(loadConfig({ ENGINE_LOG_LEVEL: 'warning' }).clickhouse.engineLogLevel).toBe('warning');
    expect(() => loadConfig({ ENGINE_LOG_LEVEL: 'warn' })).toThrow(
      'ENGINE_LOG_LEVEL must be one of: none, fatal, critical, error, warning',
    );
  });
});
