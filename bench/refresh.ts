// The refresh under steady ingest (issue #17's freshness lever "refresh the windows together"): a fresh service,
// the load generator feeding it at a rate it keeps up with, and the refresh durations it reports in /metrics
// (viewrank_topk_refresh_duration_seconds and the per-window histogram) over a measured span after a warm-up.
// Ad hoc: written to bench/results/refresh-<date>[-<label>].json, not part of the suite.
// Usage: npm run bench:refresh -- [--rate=50000] [--seconds=30] [--label=name] [SETTING=value ...]
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SIZES } from './parts/context';
import { loadgenProcess, sleep, startService } from './lib/service';
import { option, serviceSettings } from './lib/args';
import { run } from './report';

/** Sum and count of each series of a Prometheus histogram, by its labels ('' for none). */
function histogram(metrics: string, name: string): Map<string, { sum: number; count: number }> {
  const series = new Map<string, { sum: number; count: number }>();
  for (const m of metrics.matchAll(new RegExp(`^${name}_(sum|count)(\\{[^}]*\\})? (\\S+)$`, 'gm'))) {
    const entry = series.get(m[2] ?? '') ?? { sum: 0, count: 0 };
    entry[m[1] as 'sum' | 'count'] = Number(m[3]);
    series.set(m[2] ?? '', entry);
  }
  return series;
}

async function main(): Promise<void> {
  const settings = serviceSettings();
  const rate = Number(option('rate') ?? 50_000);
  const seconds = Number(option('seconds') ?? 30);
  const bench = await startService({ env: settings });
  const scrape = async () => (await fetch(`${bench.service.url}/metrics`)).text();
  const load = loadgenProcess({ topic: bench.topic, rate, duration: 3600, videos: SIZES.default.catalogue, skew: 1, 'per-message': 100 });
  try {
    await sleep(15_000); // warm-up: the first full refreshes, the consumers settled
    const [before, countedBefore] = [await scrape(), await bench.ingested()];
    await sleep(seconds * 1000);
    const [after, countedAfter] = [await scrape(), await bench.ingested()];
    const mean = (name: string) => {
      const [b, a] = [histogram(before, name), histogram(after, name)];
      return Object.fromEntries(
        [...a].map(([labels, { sum, count }]) => {
          const n = count - (b.get(labels)?.count ?? 0);
          return [
            labels || 'every window',
            { refreshes: n, meanMs: n ? Math.round(((sum - (b.get(labels)?.sum ?? 0)) / n) * 1000) : null },
          ];
        }),
      );
    };
    const result = {
      benchmark: 'refresh durations under steady ingest (bench/refresh.ts)',
      date: new Date().toISOString(),
      settings,
      rate,
      seconds,
      countedPerSecond: Math.round((countedAfter - countedBefore) / seconds),
      refresh: mean('viewrank_topk_refresh_duration_seconds'),
      windows: mean('viewrank_topk_window_refresh_duration_seconds'),
    };
    console.log(JSON.stringify(result, null, 2));
    const label = option('label');
    writeFileSync(
      join(__dirname, 'results', `refresh-${result.date.slice(0, 10)}${label ? `-${label}` : ''}.json`),
      JSON.stringify(result, null, 2) + '\n',
    );
  } finally {
    load.stop();
    await load.done.catch(() => undefined);
    await bench.stop();
  }
}

run(main);
