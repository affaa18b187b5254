// Builds the one @clickhouse/client the service uses: a ClickHouse server over HTTP when CLICKHOUSE_URL
// is set, otherwise embedded ClickHouse (chDB) in this process on a data directory.
import { ClickHouseClient, createClient } from '@clickhouse/client';
import { Session } from 'chdb';
import { createChdbConnection } from 'chdb/connection';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AppConfig } from '../config/app-config';
import { clickhouseDir } from './sql-files';

type ChdbAsClientConnection = NonNullable<Parameters<typeof createClient>[0]>['connection'];

export interface ClickHouseHandle {
  client: ClickHouseClient;
  mode: 'embedded' | 'server';
  close(): Promise<void>;
}

export function openClickHouse(config: AppConfig['clickhouse']): ClickHouseHandle {
  if (config.url) {
    const client = createClient({
      url: config.url,
      username: config.user,
      password: config.password,
      request_timeout: 30_000,
      clickhouse_settings: { date_time_output_format: 'iso' },
    });
    return { client, mode: 'server', close: () => client.close() };
  }
  const path = resolve(config.chdbPath);
  mkdirSync(path, { recursive: true });
  // chDB runs one engine per process, shared by every session on the same path. This first session starts
  // it with our server configuration (librdkafka settings), which a connection alone cannot pass.
  const engine = new Session(path, { connectionArgs: [`--config-file=${join(clickhouseDir(), 'embedded-config.xml')}`] });
  const client = createClient({
    // chdb implements @clickhouse/client-common's Connection; @clickhouse/client bundles its own copy of
    // those types, which TypeScript does not unify with the package's, hence the cast.
    connection: createChdbConnection({ path }) as unknown as ChdbAsClientConnection,
    clickhouse_settings: { date_time_output_format: 'iso' },
  });
  return {
    client,
    mode: 'embedded',
    close: async () => {
      await client.close();
      engine.close();
    },
  };
}
