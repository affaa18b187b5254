// One drain of the suite's ingest part, on its own, to weigh one lever quickly: a topic pre-filled with Zipf views,
// then a fresh service counts it all (bench/parts/ingest.ts drainRun says how it is timed). Settings are the service's
// environment variables. Prints the run as JSON; the suite (npm run bench) is where figures are recorded.
// Usage: npm run bench:drain -- [--views=5000000] [--per-message=100] [--repeat=1] [SETTING=value ...]
import { TEST_BROKERS } from '../test/support/kafka';
import { brokerPid, BenchContext, SIZES } from './parts/context';
import { drainRun } from './parts/ingest';
import { option, serviceSettings } from './lib/args';
import { run } from './report';

async function main(): Promise<void> {
  const settings = serviceSettings();
  const ctx: BenchContext = { smoke: false, sizes: SIZES.default, brokers: TEST_BROKERS, brokerPid: brokerPid() };
  const views = Number(option('views') ?? ctx.sizes.drainViews);
  for (let i = 0; i < Number(option('repeat') ?? 1); i++) await drainRun(ctx, Number(option('per-message') ?? 100), views, settings);
}

run(main);
