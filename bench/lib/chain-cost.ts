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
  /**
   * The rollup that moves what the chain wrote into the grains (migration 0017), when the chain has one: per view,
   * rolling up one pass's blocks at once (the median of the three passes), and the fixed cost of one rollup of a
   * one-row block (the median over the one-row blocks, one rollup after each).
   */
  rollup?: { perViewMicroseconds: number; perRollupMs: number };
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
export async function chainCost(
  clickhouse: ClickHouseService,
  parsed: string,
  rows: number,
  blocks: number,
  rollup?: () => Promise<unknown>,
): Promise<ChainCost> {
  const timed = async (work: () => Promise<unknown>) => {
    const started = performance.now();
    await work();
    return performance.now() - started;
  };
  const insert = (from: number, to: number) =>
    clickhouse.command(benchStatement('chain_design_insert'), { parsed, from, to, token: `chain-${process.pid}-${tokens++}` });
  await insert(0, CHAIN_BLOCK_ROWS); // warm-up: the first insert into empty tables is slower than any later one
  await rollup?.();
  const passes: number[] = [];
  const rollupPasses: number[] = [];
  for (let pass = 0; pass < 3; pass++) {
    await mergesSettled(clickhouse);
    const started = performance.now();
    for (let from = 0; from < rows; from += CHAIN_BLOCK_ROWS) await insert(from, Math.min(rows, from + CHAIN_BLOCK_ROWS));
    passes.push(performance.now() - started);
    if (rollup) rollupPasses.push(await timed(rollup));
  }
  await mergesSettled(clickhouse);
  const perBlock: number[] = [];
  const perRollup: number[] = [];
  for (let i = 0; i < blocks; i++) {
    perBlock.push(await timed(() => insert(i, i + 1)));
    if (rollup) perRollup.push(await timed(rollup));
  }
  return {
    ...(rollup && {
      rollup: {
        perViewMicroseconds: +((median(rollupPasses) * 1000) / rows).toFixed(2),
        perRollupMs: +median(perRollup).toFixed(1),
      },
    }),
    rows,
    blockRows: CHAIN_BLOCK_ROWS,
    perViewMicroseconds: +((median(passes) * 1000) / rows).toFixed(2),
    viewsPerSecond: Math.round(rows / (median(passes) / 1000)),
    oneRowBlocks: blocks,
    perBlockMs: +median(perBlock).toFixed(1),
    perBlockP90Ms: +[...perBlock].sort((a, b) => a - b)[Math.floor(blocks * 0.9)].toFixed(1),
  };
}
