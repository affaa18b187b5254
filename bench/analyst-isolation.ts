// Does an analyst hold up the service (issue #33)? The real service under steady ingest, measured three times for
// the same length: alone; while an analyst, through the ClickHouse HTTP interface, runs a long parameterized query
// (until its time limit), asks for a 400 MB answer plain and gzipped (refused at ANALYST_MAX_RESULT_BYTES once the
// engine made that much) and loops KILL QUERY (of every query, refused; of an id of its own); then alone again.
// Throughout: the top-K list's age (now less X-Computed-At: the hour's at each read, and the oldest of the five
// windows' ten times a second, as a refresh publishes them one after another), readiness, and top-K reads (k = 1000,
// 100 a second).
// Writes bench/results/analyst-isolation[-<label>]-<date>.json and prints a table.
// Usage: npm run bench:analyst -- [--seconds=60] [--rate=20000] [--smoke] [--label=name] [--only=long|big|kill] [SETTING=value ...]
import { option, serviceSettings } from './lib/args';
import { loadgenProcess, maximum, percentile, sleep, startService } from './lib/service';
import { SIZES } from './parts/context';
import { machine, run, writeResult } from './report';
import { freePort } from '../test/support/service-process';

const smoke = process.argv.includes('--smoke');
const SECONDS = Number(option('seconds') ?? (smoke ? 15 : 60));
const RATE = Number(option('rate') ?? 20_000);
const PASSWORD = 'bench-analyst-password';
/** A client reading the list 100 times a second: back-to-back reads would themselves keep the event loop busy. */
const READ_EVERY_MS = 10;

interface Phase {
  /** Refreshes of every window in the phase, and their mean duration (from /metrics). */
  refreshes: number;
  refreshMeanMs: number;
  /** Each window's mean share of a refresh (last-hour first; the first growing window includes the growth read). */
  windowMeanMs: Record<string, number>;
  reads: number[];
  ages: number[];
  /** The oldest of the five windows' lists, sampled ten times a second. */
  oldestAges: number[];
  notReady: number;
  probes: number;
  analyst: Record<string, number>;
}

interface Totals {
  count: number;
  sum: number;
  /** Each window's sum of durations, in seconds. */
  windows: Record<string, number>;
}

/** The refreshes of every window so far: their count and the sum of their durations in seconds, and per window. */
async function refreshTotals(url: string): Promise<Totals> {
  const metrics = await (await fetch(`${url}/metrics`)).text();
  const value = (name: string) =>
    Number(new RegExp(`^viewrank_topk_refresh_duration_seconds_${name} (\\S+)$`, 'm').exec(metrics)?.[1] ?? NaN);
  const windows = Object.fromEntries(
    [...metrics.matchAll(/^viewrank_topk_window_refresh_duration_seconds_sum\{window="([^"]+)"\} (\S+)$/gm)].map((m) => [
      m[1],
      Number(m[2]),
    ]),
  );
  return { count: value('count'), sum: value('sum'), windows };
}

/** Reads the list and readiness until `stop`, as a client of the service would. */
async function observe(url: string, stop: () => boolean): Promise<Omit<Phase, 'analyst'>> {
  const before = await refreshTotals(url);
  const phase = {
    refreshes: 0,
    refreshMeanMs: 0,
    windowMeanMs: {} as Record<string, number>,
    reads: [] as number[],
    ages: [] as number[],
    oldestAges: [] as number[],
    notReady: 0,
    probes: 0,
  };
  const reads = (async () => {
    while (!stop()) {
      const started = performance.now();
      const response = await fetch(`${url}/views/top-k?window=hour&k=1000`);
      await response.arrayBuffer();
      phase.reads.push(performance.now() - started);
      const computedAt = Date.parse(response.headers.get('x-computed-at') ?? '');
      if (response.ok && Number.isFinite(computedAt)) phase.ages.push(Date.now() - computedAt);
      await sleep(READ_EVERY_MS);
    }
  })();
  const everyWindow = (async () => {
    while (!stop()) {
      const computed = await Promise.all(
        ['hour', 'day', 'month', 'all-time', 'last-hour'].map(async (window) => {
          const response = await fetch(`${url}/views/top-k?window=${window}&k=1`);
          await response.arrayBuffer();
          return Date.parse(response.headers.get('x-computed-at') ?? '');
        }),
      );
      if (computed.every(Number.isFinite)) phase.oldestAges.push(Date.now() - Math.min(...computed));
      await sleep(100);
    }
  })();
  const readiness = (async () => {
    while (!stop()) {
      const response = await fetch(`${url}/health/ready`);
      await response.arrayBuffer();
      phase.probes++;
      if (response.status !== 200) phase.notReady++;
      await sleep(250);
    }
  })();
  await Promise.all([reads, everyWindow, readiness]);
  const after = await refreshTotals(url);
  phase.refreshes = after.count - before.count;
  phase.refreshMeanMs = Math.round(((after.sum - before.sum) / phase.refreshes) * 1000);
  phase.windowMeanMs = Object.fromEntries(
    Object.entries(after.windows).map(([w, sum]) => [w, Math.round(((sum - (before.windows[w] ?? 0)) / phase.refreshes) * 1000)]),
  );
  return phase;
}

/** The analyst's load until `stop`: each kind in a loop of its own; counts of answers by kind and status. */
async function analyst(base: string, database: string, stop: () => boolean): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const auth = { Authorization: `Basic ${Buffer.from(`analyst:${PASSWORD}`).toString('base64')}` };
  const ask = async (kind: string, path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${base}/?database=${database}&${path}`, { headers: { ...auth, ...headers } });
    await response.arrayBuffer();
    const key = `${kind} ${response.status}`;
    counts[key] = (counts[key] ?? 0) + 1;
  };
  const q = (sql: string) => `query=${encodeURIComponent(sql)}`;
  const loop = async (body: () => Promise<void>) => {
    while (!stop()) await body();
  };
  let n = 0;
  const only = option('only'); // long, big or kill: one kind of load alone, to see which weighs
  const kind = (name: string, body: () => Promise<void>) => (only === undefined || only === name ? loop(body) : Promise.resolve());
  const big = 'SELECT randomPrintableASCII(1000) FROM numbers(400000)';
  await Promise.all([
    kind('long', () =>
      ask(
        'long parameterized',
        `param_n=1000000000000&query_id=long-${n++}&${q('SELECT sum(cityHash64(number)) FROM numbers({n:UInt64})')}`,
      ),
    ),
    kind('big', () => ask('400 MB plain', q(big))),
    kind('big', () => ask('400 MB gzip', `enable_http_compression=1&${q(big)}`, { 'Accept-Encoding': 'gzip' })),
    kind('kill', async () => {
      await ask('KILL QUERY WHERE 1', q('KILL QUERY WHERE 1 SYNC'));
      await ask('KILL QUERY WHERE query_id (none running)', q("KILL QUERY WHERE query_id = 'not-running' ASYNC"));
      await sleep(20);
    }),
  ]);
  return counts;
}

function summary(phase: Phase) {
  return {
    refreshes: phase.refreshes,
    refreshMeanMs: phase.refreshMeanMs,
    windowMeanMs: Object.entries(phase.windowMeanMs)
      .map(([w, ms]) => `${w} ${ms}`)
      .join(', '),
    topKReads: phase.reads.length,
    readP50Ms: +percentile(phase.reads, 50).toFixed(1),
    readP99Ms: +percentile(phase.reads, 99).toFixed(1),
    listAgeP99S: +(percentile(phase.ages, 99) / 1000).toFixed(2),
    listAgeMaxS: +(maximum(phase.ages) / 1000).toFixed(2),
    oldestWindowAgeP99S: +(percentile(phase.oldestAges, 99) / 1000).toFixed(2),
    readinessNot200: `${phase.notReady} of ${phase.probes}`,
  };
}

async function main(): Promise<void> {
  const port = await freePort();
  const settings = serviceSettings();
  const bench = await startService({
    env: { ANALYST_PASSWORD: PASSWORD, CLICKHOUSE_HTTP_PORT: String(port), ANALYST_MAX_EXECUTION_TIME_S: '60', ...settings },
  });
  const database = bench.topic;
  const load = loadgenProcess({
    topic: bench.topic,
    rate: RATE,
    duration: 3600,
    videos: SIZES.default.catalogue,
    skew: 1,
    'per-message': 100,
  });
  const phases: Record<string, Phase> = {};
  try {
    await sleep(15_000); // warm-up: the first full refreshes, the consumers settled
    // Alone before and after: the list's age drifts as the service's data grows, so the analyst's phase is compared
    // with both sides of it, not with the first alone.
    for (const name of ['no analyst', 'analyst', 'no analyst, after'] as const) {
      const deadline = Date.now() + SECONDS * 1000;
      const stop = () => Date.now() >= deadline;
      const [observed, counts] = await Promise.all([
        observe(bench.service.url, stop),
        name === 'analyst' ? analyst(`http://127.0.0.1:${port}`, database, stop) : Promise.resolve({}),
      ]);
      phases[name] = { ...observed, analyst: counts };
    }
  } finally {
    load.stop();
    await bench.stop();
  }
  const table = Object.fromEntries(Object.entries(phases).map(([name, phase]) => [name, summary(phase)]));
  const result = {
    benchmark: 'analyst isolation (bench/analyst-isolation.ts)',
    date: new Date().toISOString(),
    machine: machine(),
    seconds: SECONDS,
    rate: RATE,
    only: option('only') ?? 'every kind at once',
    settings,
    results: table,
    analystAnswers: phases.analyst?.analyst,
  };
  const label = option('label');
  writeResult(label ? `analyst-isolation-${label}` : 'analyst-isolation', result, table);
  console.log('analyst answers:', phases.analyst?.analyst);
}

run(main);
