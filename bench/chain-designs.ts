// Chain designs for issue #36, measured as the issue measured the chain: what a view and what a block cost from the
// parsed stream on, in the embedded engine. The designs side by side in one fresh database: the migrations' chain
// (views_parsed and the views under it, ten since 0016, with the exactly-once deduplication windows) and three candidates of
// bench/sql/chain_fanout.sql (every grain in one table by one view; the same after one aggregation by minute; minutes
// only, the grains to be rolled up later). Per view: `rows` views in blocks of 100,000, median of three. Per block:
// one-row blocks, the median of `blocks`. Every insert carries its own deduplication token, as each Kafka block does.
// Ad hoc, not part of the suite: bench/results/chain-designs-<date>[-label].json.
// Usage: npm run bench:chain-designs -- [--rows=2000000] [--videos=1000000] [--blocks=100] [--reverse] [--only=views_parsed,…] [--label=name]
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClickHouseService } from '../src/clickhouse/clickhouse.service';
import { loadConfig } from '../src/config/app-config';
import { CHAIN_BLOCK_ROWS, chainCost, migrateExactlyOnceChain } from './lib/chain-cost';
import { benchStatement, benchStatements } from './lib/sql';
import { run } from './report';

const DESIGNS = [
  { name: 'migrations: views_parsed and the views under it (0015: eleven views, ten targets; 0016: ten, nine)', parsed: 'views_parsed' },
  { name: 'fan-out: one view, one table of every grain, dead letters apart', parsed: 'fan_parsed' },
  { name: 'fan-out of minutes: aggregated once, then five grains; one part a block', parsed: 'fan2_parsed' },
  { name: 'minutes only per block (counts, on-time, progress), dead letters apart; grains rolled up later', parsed: 'min_parsed' },
  { name: 'minutes only, without the dead-letter view', parsed: 'min1_parsed' },
  { name: 'minutes only, without the dead-letter view or the deduplication window', parsed: 'min2_parsed' },
  { name: 'the insert alone: into a Null table that no view reads', parsed: 'null_parsed' },
];

async function main(): Promise<void> {
  const arg = (name: string, fallback: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
  const rows = arg('rows', 2_000_000);
  const videos = arg('videos', 1_000_000);
  const blocks = arg('blocks', 100);
  const dataDir = join(tmpdir(), `viewrank-chain-designs-${process.pid}`);
  const database = `designs_${process.pid}`;
  const config = loadConfig({ CHDB_PATH: dataDir, CLICKHOUSE_DATABASE: database, KAFKA_TOPIC: 'chain-unused', LOG_LEVEL: 'warn' });
  const clickhouse = new ClickHouseService(config);
  try {
    await migrateExactlyOnceChain(clickhouse, config);
    for (const statement of benchStatements('chain_fanout')) await clickhouse.command(statement);
    await clickhouse.command(benchStatement('view_chain_source'), { rows, videos });
    const results = [];
    // --reverse: the designs in the other order, to see what running after the others costs a design.
    // --only=a,b: the designs whose parsed table is named so (views_parsed, min_parsed, …), in the usual order.
    const only = process.argv
      .find((a) => a.startsWith('--only='))
      ?.slice('--only='.length)
      .split(',');
    const chosen = only ? DESIGNS.filter((d) => only.includes(d.parsed)) : DESIGNS;
    const designs = process.argv.includes('--reverse') ? [...chosen].reverse() : chosen;
    for (const { name, parsed } of designs) {
      const { perViewMicroseconds, viewsPerSecond, perBlockMs, perBlockP90Ms } = await chainCost(clickhouse, parsed, rows, blocks);
      results.push({ design: name, perViewMicroseconds, viewsPerSecond, perBlockMs, perBlockP90Ms });
      console.log(JSON.stringify(results.at(-1)));
    }
    const result = {
      benchmark: 'chain designs from the parsed stream on (bench/chain-designs.ts)',
      date: new Date().toISOString(),
      rows,
      videos,
      blockRows: CHAIN_BLOCK_ROWS,
      oneRowBlocks: blocks,
      results,
    };
    mkdirSync('bench/results', { recursive: true });
    const label = process.argv.find((a) => a.startsWith('--label='))?.slice('--label='.length);
    const file = `bench/results/chain-designs-${result.date.slice(0, 10)}${label ? `-${label}` : ''}.json`;
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`written to ${file}`);
  } finally {
    await clickhouse.onApplicationShutdown();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

run(main);
