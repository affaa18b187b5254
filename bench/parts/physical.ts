// The physical limit: the same kind of views inserted straight into the service's ClickHouse schema, no Kafka, in a
// process of its own (chDB runs one engine per process). Rows enter views_parsed, the validated stream, so every
// materialized view the Kafka path feeds (minute, hour, total, touched, ingest counts) runs on them too.
// Run by the suite: node -r ts-node/register/transpile-only bench/parts/physical.ts <rows> <catalogue>
// Prints one JSON line: rows/s for each way of inserting.
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ClickHouseService } from '../../src/clickhouse/clickhouse.service';
import { runMigrations } from '../../src/clickhouse/migrations';
import { loadConfig } from '../../src/config/app-config';
import { seededRandom, ZipfSampler } from '../lib/zipf';

export interface PhysicalResult {
  way: string;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
}

const FROM_NUMBERS = `INSERT INTO {db:Identifier}.views_parsed (video_id, event_time, error, raw_message, topic, partition, offset)
  SELECT concat('v', toString(1 + cityHash64(number) % {videos:UInt64})), now64(3), '', '', 'direct', 0, number FROM numbers({rows:UInt64})`;

async function main(): Promise<void> {
  const [rows, videos] = process.argv.slice(2).map(Number);
  const dataDir = join(tmpdir(), `viewrank-physical-${process.pid}`);
  const database = `physical_${process.pid}`;
  const config = loadConfig({ CHDB_PATH: dataDir, CLICKHOUSE_DATABASE: database, KAFKA_TOPIC: `physical-unused-${process.pid}`, KAFKA_GROUP: `physical-${process.pid}`, LOG_LEVEL: 'warn' });
  const clickhouse = new ClickHouseService(config);
  const results: PhysicalResult[] = [];
  const timed = async (way: string, n: number, insert: () => Promise<unknown>) => {
    const started = performance.now();
    await insert();
    const seconds = (performance.now() - started) / 1000;
    results.push({ way, rows: n, seconds: +seconds.toFixed(2), rowsPerSecond: Math.round(n / seconds) });
  };
  try {
    await runMigrations(clickhouse, config);
    // The Kafka table would consume nothing (its topic is never produced to); detach it so it costs nothing.
    await clickhouse.command('DETACH TABLE {db:Identifier}.views_queue');
    const params = { db: database, rows, videos };
    await timed('INSERT … SELECT FROM numbers(), default settings', rows, () => clickhouse.client.command({ query: FROM_NUMBERS, query_params: params }));
    await timed('INSERT … SELECT FROM numbers(), parallel_view_processing=1, max_insert_threads=2', rows, () =>
      clickhouse.client.command({ query: FROM_NUMBERS, query_params: params, clickhouse_settings: { parallel_view_processing: 1, max_insert_threads: '2' } }),
    );
    // JSONEachRow text made in Node, as a Kafka message carries it, streamed to one INSERT.
    const zipf = new ZipfSampler(videos, 1, seededRandom(3));
    const jsonRows = Math.min(rows, 2_000_000);
    const time = new Date().toISOString().replace('T', ' ').replace('Z', '');
    const chunks: string[] = [];
    for (let left = jsonRows; left > 0; left -= 100_000) {
      let chunk = '';
      for (let i = Math.min(left, 100_000); i > 0; i--) chunk += `{"video_id":"v${zipf.sample()}","event_time":"${time}"}\n`;
      chunks.push(chunk);
    }
    await timed('JSONEachRow from Node (client.exec with a stream), Zipf ids', jsonRows, () =>
      clickhouse.client.exec({ query: `INSERT INTO ${database}.views_parsed (video_id, event_time) FORMAT JSONEachRow`, values: Readable.from(chunks) }).then((r) => r.stream.resume()),
    );
    await timed('JSONEachRow from Node, no parallel parsing', jsonRows, () =>
      clickhouse.client.exec({ query: `INSERT INTO ${database}.views_parsed (video_id, event_time) FORMAT JSONEachRow`, values: Readable.from(chunks), clickhouse_settings: { input_format_parallel_parsing: 0 } }).then((r) => r.stream.resume()),
    );
    // Parsing alone, into a Null table shaped like the Kafka table (video_id, ts as text): what the message format
    // costs before any view is counted, one parsing thread as in a Kafka engine consumer.
    await clickhouse.command('CREATE TABLE {db:Identifier}.parse_only (video_id String, ts String) ENGINE = Null');
    const ts = Date.now();
    const lines = (format: 'JSONEachRow' | 'TSV') =>
      chunks.map((chunk) =>
        format === 'JSONEachRow' ? chunk.replaceAll(/"event_time":"[^"]*"/g, `"ts":${ts}`) : chunk.replaceAll(/\{"video_id":"([^"]*)","event_time":"[^"]*"\}/g, `$1\t${ts}`),
      );
    for (const format of ['JSONEachRow', 'TSV'] as const) {
      const values = lines(format);
      await timed(`parsing only, ${format} (as in a Kafka message), into a Null table`, jsonRows, () =>
        clickhouse.client.exec({ query: `INSERT INTO ${database}.parse_only FORMAT ${format}`, values: Readable.from(values), clickhouse_settings: { input_format_parallel_parsing: 0 } }).then((r) => r.stream.resume()),
      );
    }
    const [{ total }] = await clickhouse.select<{ total: string }>('SELECT sum(views) AS total FROM {db:Identifier}.views_total');
    if (Number(total) !== 2 * rows + 2 * jsonRows) throw new Error(`counted ${total} views for ${2 * rows + 2 * jsonRows} inserted`);
  } finally {
    await clickhouse.onApplicationShutdown();
    rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(JSON.stringify(results));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
