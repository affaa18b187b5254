// The benchmark suite: viewrank and the alternatives, side by side, in one run on this machine.
//   npm run bench                  default size, three runs in a row (about 25 minutes each here): the goals are
//                                  judged on the runs' medians, each run's figure beside them
//   npm run bench -- --smoke       a tiny size that only proves the suite works (CI runs it)
//   npm run bench -- --parts=ingest,peers     some parts only: ingest, physical, freshness, reads, peers, precompute
//   npm run bench -- --runs=1      one run only (the smoke size always runs once); the sections below the goals
//                                  always show the last run
//   npm run bench:summary -- --from=bench/results/<date>.json     redraw RESULTS.md and the chart from a results file
//   --previous=bench/results/<date>.json     the run whose figures stand beside this one's in the goals table
//                                            (default: the latest full-size run of an earlier day)
// Writes bench/results/<date>.json, bench/RESULTS.md and bench/chart.png (with --smoke: into .cache/bench-smoke/).
// Needs the built service, a broker and the peers' servers: `npm run bench` installs and starts them first.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { TEST_BROKERS } from '../test/support/kafka';
import { brokerPid, BenchContext, SIZES } from './parts/context';
import { freshness } from './parts/freshness';
import { RankedVideo } from '../src/top-k/ranking';
import { drainRun, steadyRun } from './parts/ingest';
import { peers } from './parts/peers';
import type { PhysicalOutput } from './parts/physical';
import { viewrankReads } from './parts/reads';
import { machine } from './report';
import { SuiteResult } from './result';
import { writeSummary } from './summary';
import { headline, medianHeadline } from './goals';

const PARTS = ['ingest', 'physical', 'freshness', 'reads', 'peers', 'precompute'];

/** The latest full-size suite run of a day before `today` in bench/results/, for the goals table. */
function previousRun(today: string, file?: string): SuiteResult['previous'] {
  const dir = join(__dirname, 'results');
  const candidates = file
    ? [file]
    : readdirSync(dir)
        .filter((name) => /^\d{4}-\d{2}-\d{2}\.json$/.test(name) && name.slice(0, 10) < today)
        .sort()
        .reverse()
        .map((name) => join(dir, name));
  for (const path of candidates) {
    const earlier = JSON.parse(readFileSync(path, 'utf8')) as SuiteResult;
    if (earlier.size === 'default' || file)
      return {
        file: relative(join(__dirname, '..'), path),
        date: earlier.date,
        headline: earlier.runs ? medianHeadline(earlier.runs.map((run) => run.headline)) : headline(earlier),
      };
  }
  return undefined;
}

function child(script: string, args: string[]): string {
  const run = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', join(__dirname, script), ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 2 ** 20,
  });
  if (run.status !== 0) throw new Error(`${script} exited with ${run.status}: ${run.stdout}`);
  return run.stdout;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      smoke: { type: 'boolean', default: false },
      parts: { type: 'string', default: PARTS.join(',') },
      from: { type: 'string' },
      previous: { type: 'string' },
      runs: { type: 'string' },
    },
  });
  if (values.from) {
    // Only rewrite the summary and chart beside a results file (after a change to how they are drawn).
    await writeSummary(JSON.parse(readFileSync(values.from, 'utf8')), join(dirname(values.from), '..'));
    return;
  }
  const parts = values.parts!.split(',');
  for (const part of parts) if (!PARTS.includes(part)) throw new Error(`--parts: unknown part ${part} (known: ${PARTS.join(', ')})`);
  const runs = Number(values.runs ?? (values.smoke ? 1 : 3));
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs: a whole number of runs, at least 1 (got ${values.runs})`);
  const size = values.smoke ? 'smoke' : 'default';
  const ctx: BenchContext = { smoke: values.smoke!, sizes: SIZES[size], brokers: TEST_BROKERS, brokerPid: brokerPid() };
  const dir = ctx.smoke ? join(__dirname, '../.cache/bench-smoke') : __dirname;
  mkdirSync(join(dir, 'results'), { recursive: true });
  const earlier: NonNullable<SuiteResult['runs']> = [];
  for (let run = 1; run <= runs; run++) {
    const result = await suiteRun(ctx, parts);
    if (!ctx.smoke) result.previous = previousRun(result.date.slice(0, 10), values.previous);
    // Every run but the last in a file of its own; the last one's file also holds every run's headline.
    const last = run === runs;
    const file = join(dir, 'results', `${result.date.slice(0, 10)}${last ? '' : `-run${run}`}.json`);
    if (runs > 1) earlier.push({ file: relative(dir, file), date: result.date, headline: headline(result) });
    if (last && runs > 1) result.runs = earlier;
    writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
    console.log(`run ${run} of ${runs} written: ${file}`);
    if (last) {
      await writeSummary(result, dir);
      console.log(`written: ${join(dir, 'RESULTS.md')}, ${join(dir, 'chart.png')}`);
    }
  }
}

/** One run of the chosen parts. */
async function suiteRun(ctx: BenchContext, parts: string[]): Promise<SuiteResult> {
  const result: SuiteResult = {
    benchmark: 'viewrank suite: ingest, freshness, reads, peers, physical limit',
    date: new Date().toISOString(),
    machine: machine(),
    clickhouse: 'embedded chDB 3.4.0 (ClickHouse 26.7)',
    size: ctx.smoke ? 'smoke' : 'default',
    sizes: ctx.sizes,
    ingest: { drain: [], steady: [] },
    physical: [],
    reads: [],
    peers: [],
  };
  const views = ctx.sizes.drainViews;
  let shared: { topic: string; allTime: RankedVideo[] } | undefined;
  if (parts.includes('ingest') || parts.includes('peers')) {
    // The stream every system drains: 100 views per message. Its all-time list is what the peers must match.
    result.ingest.drain.push(await drainRun(ctx, 100, views, {}, (topic, allTime) => (shared = { topic, allTime })));
  }
  if (parts.includes('ingest')) {
    for (const perMessage of ctx.sizes.batchSizes.filter((b) => b !== 100)) {
      result.ingest.drain.push(await drainRun(ctx, perMessage, Math.round(views * Math.min(1, perMessage / 100)) || 1));
    }
    const largest = Math.max(...ctx.sizes.batchSizes);
    for (const settings of ctx.sizes.tunings) result.ingest.drain.push(await drainRun(ctx, largest, views, settings));
    // Steady load at 100 views per message, with the defaults and with each tuning that drained faster than them.
    const base = result.ingest.drain.find((d) => d.viewsPerMessage === largest && Object.keys(d.settings).length === 0)!;
    const better = result.ingest.drain.filter((d) => Object.keys(d.settings).length > 0 && d.viewsPerSecond > base.viewsPerSecond * 1.1);
    for (const settings of [{}, ...better.map((d) => d.settings)]) result.ingest.steady.push(...(await steadyRun(ctx, 100, settings)));
  }
  if (parts.includes('physical')) {
    const output = JSON.parse(
      child('parts/physical.ts', [String(ctx.sizes.physicalRows), String(ctx.sizes.catalogue)])
        .trim()
        .split('\n')
        .at(-1)!,
    ) as PhysicalOutput;
    result.physical = output.ways;
    result.chainCost = output.chainCost;
  }
  if (parts.includes('freshness')) result.freshness = await freshness(ctx);
  if (parts.includes('reads')) {
    const reads = await viewrankReads(ctx);
    result.reads.push(...reads.runs);
    result.page = reads.page;
  }
  if (parts.includes('peers')) {
    const peerResults = await peers(ctx, shared!.topic, views, shared!.allTime);
    result.peers = peerResults.ingest;
    result.reads.push(...peerResults.reads);
  }
  if (parts.includes('precompute')) {
    const out = child('precompute.ts', [...ctx.sizes.precomputeArgs, '--json']);
    result.precompute = JSON.parse(out.trim().split('\n').at(-1)!);
  }
  return result;
}

process.once('SIGINT', () => process.exit(130)); // runs the 'exit' handlers that stop the peers' servers
process.once('SIGTERM', () => process.exit(143));

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
