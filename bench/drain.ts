// One drain of the suite's ingest part, on its own, to weigh one lever quickly: a topic pre-filled with Zipf views,
// then a fresh service counts it all (bench/parts/ingest.ts drainRun says how it is timed). Settings are the service's
// environment variables. Prints the run as JSON; the suite (npm run bench) is where figures are recorded.
// Usage: npm run bench:drain -- [--views=5000000] [--per-message=100] [--repeat=1] [SETTING=value ...]
import { TEST_BROKERS } from '../test/support/kafka';
import { brokerPid, BenchContext, SIZES } from './parts/context';
import { drainRun } from './parts/ingest';
import { run } from './report';

async function main(): Promise<void> {
  const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const settings = Object.fromEntries(
    process.argv
      .slice(2)
      .filter((a) => /^[A-Z][A-Z0-9_]*=/.test(a))
      .map((a) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]),
  );
  const ctx: BenchContext = { smoke: false, sizes: SIZES.default, brokers: TEST_BROKERS, brokerPid: brokerPid() };
  const views = Number(arg('views') ?? ctx.sizes.drainViews);
  for (let i = 0; i < Number(arg('repeat') ?? 1); i++) await drainRun(ctx, Number(arg('per-message') ?? 100), views, settings);
}

run(main);
