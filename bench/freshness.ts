// Measures freshness: time from producing a view to seeing it in GET /views/top-k, per window, with the service
// at its default settings (refresh every 5 s, Kafka engine flush every 1 s). Writes bench/results/freshness-<date>.json.
// Usage: npm run bench:freshness -- [probes]   (needs a built service and a broker: npm run build && npm run kafka:start)
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { produce, uniqueName } from '../test/support/kafka';
import { freePort, ServiceProcess } from '../test/support/service-process';
import { machine, run, writeResult } from './report';

const WINDOWS_MEASURED = ['last-hour', 'hour', 'all-time'];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main(): Promise<void> {
  const probes = Number(process.argv[2] ?? 12);
  const name = uniqueName('fresh');
  const dataDir = mkdtempSync(join(tmpdir(), 'viewrank-fresh-'));
  const service = new ServiceProcess({ PORT: String(await freePort()), CHDB_PATH: dataDir, CLICKHOUSE_DATABASE: name, KAFKA_TOPIC: name, KAFKA_GROUP: name, LOG_LEVEL: 'warn' });
  await service.start();
  // Let the Kafka engine join its group before timing anything.
  await produce(name, [JSON.stringify({ video_id: 'warm-up', ts: Date.now() })]);
  for (let seen = false; !seen; await new Promise((r) => setTimeout(r, 200))) {
    seen = ((await service.topK('all-time', 1000)).body as { videoId: string }[]).some((e) => e.videoId === 'warm-up');
  }
  const latencies: Record<string, number[]> = Object.fromEntries(WINDOWS_MEASURED.map((w) => [w, []]));
  try {
    for (let i = 0; i < probes; i++) {
      const videoId = `probe-${i}`;
      const producedAt = Date.now();
      await produce(name, [JSON.stringify({ video_id: videoId, ts: producedAt })]);
      const pending = new Set(WINDOWS_MEASURED);
      while (pending.size > 0 && Date.now() - producedAt < 60_000) {
        for (const window of [...pending]) {
          const list = (await service.topK(window, 1000)).body as { videoId: string }[];
          if (list.some((e) => e.videoId === videoId)) {
            latencies[window].push(Date.now() - producedAt);
            pending.delete(window);
          }
        }
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 2000)); // land at different points of the refresh cycle
    }
  } finally {
    await service.stop('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  }
  const summary = Object.fromEntries(
    Object.entries(latencies).map(([w, values]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return [w, { probes: sorted.length, p50Ms: percentile(sorted, 50), p90Ms: percentile(sorted, 90), maxMs: sorted.at(-1) }];
    }),
  );
  const result = {
    benchmark: 'freshness: produce → visible in GET /views/top-k',
    date: new Date().toISOString(),
    machine: machine(),
    settings: { REFRESH_INTERVAL_MS: 5000, KAFKA_FLUSH_INTERVAL_MS: 1000, LATE_TOLERANCE_MS: 30000 },
    summary,
    latenciesMs: latencies,
  };
  writeResult('freshness', result, summary);
}

run(main);
