// The physical limit: the same kind of views inserted straight into the service's ClickHouse schema, no Kafka, in a
// process of its own (chDB runs one engine per process). Rows enter views_parsed, the validated stream, so every
// materialized view the Kafka path feeds (minute, hour, total, touched, ingest counts) runs on them too.
// Then the counting chain's own cost (issue #36), in a database of its own with the deduplication windows of exactly
// once: what a view costs in 100,000-view blocks, and what a one-row block costs (bench/lib/chain-cost.ts).
// Run by the suite: node -r ts-node/register/transpile-only bench/parts/physical.ts <rows> <catalogue>
// Prints one JSON line: { ways: rows/s for each way of inserting, chainCost }.
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ClickHouseService } from '../../src/clickhouse/clickhouse.service';
import { runMigrations } from '../../src/clickhouse/migrations';
import { loadConfig } from '../../src/config/app-config';
import { seededRandom } from '../../test/support/random';
import { ZipfSampler } from '../lib/zipf';
import { mergesSettled } from '../lib/merges';
import { benchStatement } from '../lib/sql';
import { ChainCost, chainCost, migrateExactlyOnceChain } from '../lib/chain-cost';
import { RollupRepository } from '../../src/rollup/rollup.repository';
import { RollupService } from '../../src/rollup/rollup.service';

export interface PhysicalResult {
  way: string;
  /** A few words for the chart. */
  label: string;
  rows: number;
  seconds: number;
  rowsPerSecond: number;
}

export interface PhysicalOutput {
  ways: PhysicalResult[];
  chainCost: ChainCost;
}

const FROM_NUMBERS = benchStatement('physical_from_numbers');

/**
 * The chain of the migrations under views_parsed, with exactly once's deduplication windows, in a fresh database:
 * at most 2M views (the figure issue #36 measured with), 100 one-row blocks (10 below 1M rows: the smoke size).
 */
async function measureChain(dataDir: string, database: string, rows: number, videos: number): Promise<ChainCost> {
  const config = loadConfig({ CHDB_PATH: dataDir, CLICKHOUSE_DATABASE: database, KAFKA_TOPIC: 'chain-unused', LOG_LEVEL: 'warn' });
  const clickhouse = new ClickHouseService(config);
  try {
    await migrateExactlyOnceChain(clickhouse, config);
    const views = Math.min(rows, 2_000_000);
    await clickhouse.command(benchStatement('view_chain_source'), { rows: views, videos });
    // The rollup the refresh runs (src/rollup/), as the service runs it: part of what a view costs the chain now.
    const rollup = new RollupService(new RollupRepository(clickhouse), config);
    return await chainCost(clickhouse, 'views_parsed', views, rows >= 1_000_000 ? 100 : 10, () => rollup.run());
  } finally {
    await clickhouse.onApplicationShutdown();
  }
}

async function main(): Promise<void> {
  const [rows, videos] = process.argv.slice(2).map(Number);
  const dataDir = join(tmpdir(), `viewrank-physical-${process.pid}`);
  const database = `physical_${process.pid}`;
  const config = loadConfig({
    CHDB_PATH: dataDir,
    CLICKHOUSE_DATABASE: database,
    KAFKA_TOPIC: `physical-unused-${process.pid}`,
    KAFKA_GROUP: `physical-${process.pid}`,
    LOG_LEVEL: 'warn',
  });
  const clickhouse = new ClickHouseService(config);
  const results: PhysicalResult[] = [];
  // Into the grains, as the service counts: the chain writes the minutes and views_recent, the rollup the grains.
  const rollup = new RollupService(new RollupRepository(clickhouse), config);
  const timed = async (way: string, label: string, n: number, insert: () => Promise<unknown>) => {
    await mergesSettled(clickhouse); // merges of an earlier insert would compete for the same cores
    const started = performance.now();
    await insert();
    await rollup.run();
    const seconds = (performance.now() - started) / 1000;
    results.push({ way, label, rows: n, seconds: +seconds.toFixed(2), rowsPerSecond: Math.round(n / seconds) });
  };
  try {
    // The migrations alone: the service would add the Kafka engine table, which has nothing to consume here.
    await runMigrations(clickhouse, config);
    const zipf = new ZipfSampler(videos, 1, seededRandom(3));
    const jsonRows = Math.min(rows, 2_000_000);
    const ts = Date.now();
    const time = new Date(ts).toISOString().replace('T', ' ').replace('Z', '');
    const ids: string[] = Array.from({ length: jsonRows }, () => `v${zipf.sample()}`);
    const chunked = (line: (id: string) => string) => {
      const chunks: string[] = [];
      for (let i = 0; i < ids.length; i += 100_000)
        chunks.push(
          ids
            .slice(i, i + 100_000)
            .map(line)
            .join(''),
        );
      return chunks;
    };
    // Parsing alone, into a Null table shaped like the Kafka table (video_id, ts as text): what the message format
    // costs before any view is counted, one parsing thread as in a Kafka engine consumer.
    await clickhouse.command('CREATE TABLE {db:Identifier}.parse_only (video_id String, ts String) ENGINE = Null');
    const parseOnly = {
      JSONEachRow: chunked((id) => `{"video_id":"${id}","ts":${ts}}\n`),
      TSV: chunked((id) => `${id}\t${ts}\n`),
    };
    for (const format of ['JSONEachRow', 'TSV'] as const) {
      await timed(`parsing only, ${format} (as in a Kafka message), into a Null table`, `parse only, ${format}`, jsonRows, () =>
        clickhouse.client
          .exec({
            query: `INSERT INTO ${database}.parse_only FORMAT ${format}`,
            values: Readable.from(parseOnly[format]),
            clickhouse_settings: { input_format_parallel_parsing: 0 },
          })
          .then((r) => r.stream.resume()),
      );
    }
    // JSONEachRow text made in Node, streamed to one INSERT into views_parsed.
    const json = chunked((id) => `{"video_id":"${id}","event_time":"${time}"}\n`);
    for (const parallel of [1, 0]) {
      await timed(
        `JSONEachRow from Node (client.exec with a stream), Zipf ids${parallel ? '' : ', one parsing thread'}`,
        parallel ? 'JSON, default parsing' : 'JSON, one parser',
        jsonRows,
        () =>
          clickhouse.client
            .exec({
              query: `INSERT INTO ${database}.views_parsed (video_id, event_time) FORMAT JSONEachRow`,
              values: Readable.from(json),
              clickhouse_settings: { input_format_parallel_parsing: parallel as 0 | 1 },
            })
            .then((r) => r.stream.resume()),
      );
    }
    const params = { db: database, rows, videos };
    await timed('INSERT … SELECT FROM numbers(), default settings', 'numbers(), defaults', rows, () =>
      clickhouse.client.command({ query: FROM_NUMBERS, query_params: params }),
    );
    await timed('INSERT … SELECT FROM numbers(), parallel_view_processing=1, max_insert_threads=2', 'numbers(), parallel views', rows, () =>
      clickhouse.client.command({
        query: FROM_NUMBERS,
        query_params: params,
        clickhouse_settings: { parallel_view_processing: 1, max_insert_threads: '2' },
      }),
    );
    const [{ total }] = await clickhouse.select<{ total: string }>('SELECT sum(views) AS total FROM {db:Identifier}.views_total');
    if (Number(total) !== 2 * rows + 2 * jsonRows) throw new Error(`counted ${total} views for ${2 * rows + 2 * jsonRows} inserted`);
    await mergesSettled(clickhouse);
    const output: PhysicalOutput = { ways: results, chainCost: await measureChain(dataDir, `${database}_chain`, rows, videos) };
    console.log(JSON.stringify(output));
  } finally {
    await clickhouse.onApplicationShutdown();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
