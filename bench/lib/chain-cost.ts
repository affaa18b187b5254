// What a view and what a block cost the counting chain from the parsed stream on, timed as issue #36 measured them:
// `rows` parsed views (the chain_source table, bench/sql/view_chain_source.sql) in blocks of 100,000, the median of
// three passes, then one-row blocks, the median of `blocks`; every insert carries its own deduplication token, as
// each Kafka block does. Used by the suite's physical part (the service's chain) and bench/chain-designs.ts.
import { ClickHouseService } from '../../src/clickhouse/clickhouse.service';
import { DEDUPLICATION_WINDOW } from '../../src/clickhouse/ingest-queue';
import { runMigrations } from '../../src/clickhouse/migrations';
import { queueFile } from '../../src/clickhouse/sql-files';
import { splitStatements } from '../../src/clickhouse/sql-statements';
import { AppConfig } from '../../src/config/app-config';
import { mergesSettled } from './merges';
import { benchStatement } from './sql';

export const CHAIN_BLOCK_ROWS = 100_000;

export interface ChainCost {
  rows: number;
  blockRows: number;
  perViewMicroseconds: number;
  viewsPerSecond: number;
  oneRowBlocks: number;
  perBlockMs: number;
  perBlockP90Ms: number;
}

/** The migrations' chain as exactly once runs it: the tables, then every target's deduplication window. */
export async function migrateExactlyOnceChain(clickhouse: ClickHouseService, config: AppConfig): Promise<void> {
  await runMigrations(clickhouse, config);
  for (const statement of splitStatements(queueFile('deduplication_window')))
    await clickhouse.command(statement, { window: DEDUPLICATION_WINDOW });
}

let tokens = 0;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** Times the chain under `parsed` (a table of the database fed like views_parsed), chain_source already made. */
export async function chainCost(clickhouse: ClickHouseService, parsed: string, rows: number, blocks: number): Promise<ChainCost> {
  const insert = (from: number, to: number) =>
    clickhouse.command(benchStatement('chain_design_insert'), { parsed, from, to, token: `chain-${process.pid}-${tokens++}` });
  await insert(0, CHAIN_BLOCK_ROWS); // warm-up: the first insert into empty tables is slower than any later one
  const passes: number[] = [];
  for (let pass = 0; pass < 3; pass++) {
    await mergesSettled(clickhouse);
    const started = performance.now();
    for (let from = 0; from < rows; from += CHAIN_BLOCK_ROWS) await insert(from, Math.min(rows, from + CHAIN_BLOCK_ROWS));
    passes.push(performance.now() - started);
  }
  await mergesSettled(clickhouse);
  const perBlock: number[] = [];
  for (let i = 0; i < blocks; i++) {
    const started = performance.now();
    await insert(i, i + 1);
    perBlock.push(performance.now() - started);
  }
  return {
    rows,
    blockRows: CHAIN_BLOCK_ROWS,
    perViewMicroseconds: +((median(passes) * 1000) / rows).toFixed(2),
    viewsPerSecond: Math.round(rows / (median(passes) / 1000)),
    oneRowBlocks: blocks,
    perBlockMs: +median(perBlock).toFixed(1),
    perBlockP90Ms: +[...perBlock].sort((a, b) => a - b)[Math.floor(blocks * 0.9)].toFixed(1),
  };
}
