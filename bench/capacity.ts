// `npm run capacity -- --views-per-s=700000 --videos=3.6e9`: prints the capacity model (bench/lib/capacity.ts) for a
// load, from the newest measurements in bench/results/ (drain, precompute, storage). docs/capacity.md holds its output
// for the reference load; test/capacity-doc.spec.ts keeps the two equal.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Measured, plan, planMarkdown } from './lib/capacity';

const RESULTS = join(__dirname, 'results');

/** The newest bench/results/<prefix>-YYYY-MM-DD.json. */
function newest<T>(prefix: string): { file: string; data: T } {
  const files = readdirSync(RESULTS)
    .filter((f) => new RegExp(`^${prefix}-\\d{4}-\\d{2}-\\d{2}\\.json$`).test(f))
    .sort();
  if (files.length === 0) throw new Error(`no bench/results/${prefix}-<date>.json: run npm run bench:${prefix}`);
  const file = files[files.length - 1];
  return { file: `bench/results/${file}`, data: JSON.parse(readFileSync(join(RESULTS, file), 'utf8')) };
}

/** The inputs, as measured by the newest benchmark runs. */
export function measuredInputs(): Measured {
  const drain = newest<{ runs: { guarantee: string; viewsPerSecond: number; coresService: number }[] }>('drain');
  const precompute = newest<{ results: { videos: number; fullMs: number; incrementalMs: number }[] }>('precompute');
  const storage = newest<{ tables: { table: string; bytesPerRow: number }[] }>('storage');
  // The best views per core of the default guarantee.
  const exactlyOnce = drain.data.runs.filter((r) => r.guarantee === 'exactly-once');
  const ingestViewsPerCoreSecond = Math.max(...exactlyOnce.map((r) => r.viewsPerSecond / r.coresService));
  const rows = precompute.data.results;
  const largest = Math.max(...rows.map((r) => r.videos));
  const atLargest = rows.filter((r) => r.videos === largest);
  return {
    ingestViewsPerCoreSecond: Math.round(ingestViewsPerCoreSecond),
    fullRefreshMsPerMillionVideos: Math.round(Math.max(...atLargest.map((r) => r.fullMs)) / (largest / 1e6)),
    incrementalRefreshMs: Math.max(...rows.map((r) => r.incrementalMs)),
    bytesPerRow: Object.fromEntries(storage.data.tables.map((t) => [t.table, t.bytesPerRow])),
    sources: [drain.file, precompute.file, storage.file],
  };
}

export function capacityReport(viewsPerSecond: number, videos: number): string {
  const measured = measuredInputs();
  const load = { viewsPerSecond, videos };
  return (
    planMarkdown(load, plan(load, measured)) +
    `\nMeasured inputs: ${measured.ingestViewsPerCoreSecond.toLocaleString('en-US')} views/s per core, a full refresh ` +
    `${measured.fullRefreshMsPerMillionVideos} ms per million videos, an incremental one at most ${measured.incrementalRefreshMs} ms ` +
    `(${measured.sources.join(', ')}).\n`
  );
}

if (require.main === module) {
  const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const viewsPerSecond = Number(arg('views-per-s') ?? 700_000);
  const videos = Number(arg('videos') ?? 3.6e9);
  if (!(viewsPerSecond > 0) || !(videos > 0)) {
    console.error('usage: npm run capacity -- --views-per-s=700000 --videos=3.6e9');
    process.exit(2);
  }
  process.stdout.write(capacityReport(viewsPerSecond, videos));
}
