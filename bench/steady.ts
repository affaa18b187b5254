// One steady run of the suite's ingest part, on its own, to weigh one lever quickly: the load generator beside a
// fresh service at rising rates until it falls behind (bench/parts/ingest.ts steadyRun). Settings are the service's
// environment variables. Prints each step as JSON; the suite (npm run bench) is where figures are recorded.
// Usage: npm run bench:steady -- [--per-message=100] [--repeat=1] [SETTING=value ...]
import { TEST_BROKERS } from '../test/support/kafka';
import { brokerPid, BenchContext, SIZES } from './parts/context';
import { steadyRun } from './parts/ingest';
import { option, serviceSettings } from './lib/args';
import { run } from './report';

async function main(): Promise<void> {
  const settings = serviceSettings();
  const ctx: BenchContext = { smoke: false, sizes: SIZES.default, brokers: TEST_BROKERS, brokerPid: brokerPid() };
  for (let i = 0; i < Number(option('repeat') ?? 1); i++) await steadyRun(ctx, Number(option('per-message') ?? 100), settings);
}

run(main);
