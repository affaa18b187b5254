// npm run bench:guarantee: the cost of exactly-once ingestion alone, without the whole suite. The same drain (a
// pre-filled topic of 100-view messages counted by a fresh service, bench/parts/ingest.ts) run alternately exactly
// once and at least once, ROUNDS times each; writes bench/results/guarantee-cost-<date>.json. The full suite
// (npm run bench) makes the same comparison among its drains.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_BROKERS } from '../test/support/kafka';
import { brokerPid, BenchContext, SIZES } from './parts/context';
import { drainRun, DrainRun } from './parts/ingest';

const VIEWS = Number(process.env.GUARANTEE_COST_VIEWS ?? 2_000_000);
const ROUNDS = Number(process.env.GUARANTEE_COST_ROUNDS ?? 2);

async function main(): Promise<void> {
  const ctx: BenchContext = { smoke: false, sizes: SIZES.default, brokers: TEST_BROKERS, brokerPid: brokerPid() };
  const runs: DrainRun[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const guarantee of ['exactly-once', 'at-least-once']) runs.push(await drainRun(ctx, 100, VIEWS, { INGEST_GUARANTEE: guarantee }));
  }
  const rate = (guarantee: string) => runs.filter((r) => r.settings.INGEST_GUARANTEE === guarantee).map((r) => r.viewsPerSecond);
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const summary = {
    exactlyOnce: rate('exactly-once'),
    atLeastOnce: rate('at-least-once'),
    ratioOfMedians: +(median(rate('exactly-once')) / median(rate('at-least-once'))).toFixed(3),
  };
  const date = new Date().toISOString();
  mkdirSync(join(__dirname, 'results'), { recursive: true });
  const file = join(__dirname, 'results', `guarantee-cost-${date.slice(0, 10)}.json`);
  writeFileSync(file, `${JSON.stringify({ date, views: VIEWS, viewsPerMessage: 100, summary, runs }, null, 2)}\n`);
  console.log(JSON.stringify(summary), `written: ${file}`);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
