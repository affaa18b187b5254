// Turns a suite result into bench/RESULTS.md and bench/chart.png (Chart.js drawn in headless Debian Chromium).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from '../test/support/browser';
import { goalRowsOfRuns, headline } from './goals';
import { isSeriesRun, isVideoRun, SERIES_LOOKUPS, SERIES_MANY, SERIES_READS, VIDEO_LOOKUPS, VIDEO_READS } from './parts/reads';
import type { SuiteResult } from './result';

const n = (value: number) => Math.round(value).toLocaleString('en-US');
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(1)}×` : 'n/a');

/** A bucket bound as "at most": the histogram cannot say more. */
function handled(boundMs: number | undefined): string {
  if (boundMs === undefined) return '';
  return boundMs === Infinity ? '> 30,000' : `≤ ${boundMs}`;
}

function table(header: string[], rows: (string | number)[][]): string {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function settingsText(settings: Record<string, string>): string {
  return (
    Object.entries(settings)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ') || 'defaults'
  );
}

/** Per setting, the fastest steady step the service kept up with. */
export function bestSteady(r: SuiteResult): SuiteResult['ingest']['steady'] {
  const best = new Map<string, SuiteResult['ingest']['steady'][number]>();
  for (const step of r.ingest.steady.filter((s) => s.keptUp)) {
    const key = settingsText(step.settings);
    if ((best.get(key)?.countedPerSecond ?? -1) < step.countedPerSecond) best.set(key, step);
  }
  return [...best.values()];
}

export function summaryMarkdown(r: SuiteResult): string {
  const out: string[] = [];
  out.push(`# Benchmark results`, '');
  out.push(
    `${r.date.slice(0, 16).replace('T', ' ')} UTC · ${r.machine} · ${r.clickhouse} · size: ${r.size}. Made by \`npm run bench\` (bench/suite.ts); the raw figures are in \`bench/results/${r.date.slice(0, 10)}.json\`.`,
    '',
  );
  out.push('![ingest rate and read latency](chart.png)', '');
  out.push('## Goals', '');
  const runs = r.runs && r.runs.length > 1 ? r.runs : undefined;
  const judged = runs
    ? `The median of ${runs.length} runs in a row (${runs.map((run) => `\`bench/${run.file}\``).join(', ')}; started ${runs.map((run) => run.date.slice(11, 16)).join(', ')} UTC), each run's figure beside it, against the goals of issue #36`
    : "This run's headline figures against the goals of issue #36";
  out.push(
    r.previous
      ? `${judged}, beside the previous full run (${r.previous.date.slice(0, 10)}, \`${r.previous.file}\`). The sections below give every figure of the last run and how it was measured.`
      : `${judged} (no earlier full run to set beside them). The sections below give every figure of the last run and how it was measured.`,
    '',
  );
  const rows = goalRowsOfRuns(runs ? runs.map((run) => run.headline) : [headline(r)], r.previous?.headline);
  out.push(
    table(
      [
        'what',
        'goal',
        r.previous ? `previous (${r.previous.date.slice(0, 10)})` : 'previous',
        runs ? `median of ${runs.length} runs (${r.date.slice(0, 10)})` : `this run (${r.date.slice(0, 10)})`,
        ...(runs ? ['each run'] : []),
        'met',
      ],
      rows.map((g) => [
        g.what,
        g.goal,
        g.previous,
        `**${g.now}**`,
        ...(runs ? [g.runs ?? ''] : []),
        g.met === undefined ? 'not measured' : g.met ? 'yes' : `**no**: ${g.gap}`,
      ]),
    ),
  );
  out.push('');
  const reference = r.ingest.drain.find((d) => d.viewsPerMessage === 100 && Object.keys(d.settings).length === 0);
  if (r.ingest.drain.length > 0) {
    out.push('## Ingest through Kafka', '');
    out.push(
      `Drain: a topic pre-filled with Zipf views (s = ${r.sizes.skew}, ${n(r.sizes.catalogue)} videos, 4 partitions), then a fresh service counts it all; the rate runs from the moment its Kafka engine can read (at least once: its consumer group holds the partitions, asked of the broker every 20 ms; exactly once, the default: the service listens, its engine taking partitions by ZooKeeper locks outside the group) to the first poll of its metrics that sees every view counted (polled every 100 ms, read from ClickHouse every 250 ms: it errs low by up to about 0.35 s). Cores are averaged over the drain (2 on this machine).`,
      '',
    );
    out.push(
      table(
        [
          'views/message',
          'Kafka engine settings',
          'views',
          'views/s',
          'cores: service',
          'cores: broker',
          'service memory (Pss) MiB',
          'data on disk MiB',
        ],
        r.ingest.drain.map((d) => [
          d.viewsPerMessage,
          settingsText(d.settings),
          n(d.views),
          `**${n(d.viewsPerSecond)}**`,
          d.cores.service,
          d.cores.broker ?? '',
          d.serviceMiB,
          d.diskMiB,
        ]),
      ),
    );
    out.push('');
    const atLeastOnce = r.ingest.drain.find((d) => settingsText(d.settings) === 'INGEST_GUARANTEE=at-least-once');
    const exactlyOnce = r.ingest.drain.find(
      (d) => d.viewsPerMessage === atLeastOnce?.viewsPerMessage && Object.keys(d.settings).length === 0,
    );
    if (exactlyOnce && atLeastOnce && atLeastOnce.viewsPerSecond > 0) {
      const ratio = exactlyOnce.viewsPerSecond / atLeastOnce.viewsPerSecond;
      out.push(
        `The cost of exactly-once ingestion (the default; offsets in ZooKeeper, replays dropped by every table), ${exactlyOnce.viewsPerMessage} views per message: **${n(exactlyOnce.viewsPerSecond)}** views/s against **${n(atLeastOnce.viewsPerSecond)}** at least once in the same run (${ratio >= 1 ? `${((ratio - 1) * 100).toFixed(0)}% faster` : `${((1 - ratio) * 100).toFixed(0)}% slower`}).`,
        '',
      );
    }
  }
  if (r.ingest.steady.length > 0) {
    out.push(
      `Steady: the load generator beside the running service on the same two cores, ${r.sizes.steadySeconds} s per step at rising rates, until a step ends more than 3 s of production behind.`,
      '',
    );
    out.push(
      table(
        [
          'views/message',
          'Kafka engine settings',
          'target views/s',
          'produced views/s',
          'counted views/s',
          'behind at the end',
          'kept up',
          'cores: service',
          'cores: broker',
          'cores: load generator',
        ],
        r.ingest.steady.map((s) => [
          s.viewsPerMessage,
          settingsText(s.settings),
          n(s.targetPerSecond),
          n(s.producedPerSecond),
          `**${n(s.countedPerSecond)}**`,
          n(s.behindAtEnd),
          s.keptUp ? 'yes' : '**no**',
          s.cores.service,
          s.cores.broker ?? '',
          s.cores.loadgen,
        ]),
      ),
    );
    out.push('');
  }
  if (r.physical.length > 0) {
    out.push('## Physical limit: straight into ClickHouse, no Kafka', '');
    out.push(
      'Rows inserted into `views_parsed`, so every materialized view of the Kafka path runs on them (embedded chDB, its own process).',
      '',
    );
    out.push(
      table(
        ['how', 'rows', 'rows/s'],
        r.physical.map((p) => [p.way, n(p.rows), `**${n(p.rowsPerSecond)}**`]),
      ),
    );
    out.push('');
  }
  if (r.chainCost) {
    const c = r.chainCost;
    out.push('## The counting chain: a view, a block', '');
    out.push(
      `The migrations' chain under \`views_parsed\` in a fresh database, with exactly once's deduplication windows, every insert its own deduplication token (bench/lib/chain-cost.ts).`,
      '',
    );
    out.push(
      table(
        ['what', 'measured', 'as'],
        [
          [
            'per view',
            `**${c.perViewMicroseconds} µs**`,
            `${n(c.rows)} views in blocks of ${n(c.blockRows)}, median of 3 passes (${n(c.viewsPerSecond)} views/s)`,
          ],
          ['per block', `**${c.perBlockMs} ms**`, `one-row blocks, median of ${c.oneRowBlocks} (p90 ${c.perBlockP90Ms} ms)`],
          ...(c.rollup
            ? [
                [
                  'rollup into the grains, per view',
                  `${c.rollup.perViewMicroseconds} µs`,
                  'one rollup after each pass (its blocks at once), median of 3: off the Kafka block, once a refresh',
                ],
                ['a rollup', `${c.rollup.perRollupMs} ms`, `of one one-row block, median of ${c.oneRowBlocks}: once a refresh`],
              ]
            : []),
        ],
      ),
    );
    out.push('');
  }
  if (r.freshness) {
    const f = r.freshness;
    out.push('## Freshness under load', '');
    out.push(
      `Produce → visible in \`GET /views/top-k?k=1000\`, ${f.probes} probes, with ${n(f.backgroundViewsPerSecond)} views/s of background ingest (a probe not visible within 120 s ends the run: the service is not keeping up). Refresh every ${(f.refreshIntervalMs ?? 5000) / 1000} s, Kafka engine flush every ${(f.flushIntervalMs ?? 1000) / 1000} s.`,
      '',
    );
    out.push(
      table(
        ['window', 'p50', 'p99', 'max'],
        Object.entries(f.perWindow).map(([w, p]) => [
          w,
          `${(p.p50Ms / 1000).toFixed(1)} s`,
          f.notVisible?.[w] ? `> ${p.p99Ms / 1000} s (not visible)` : `${(p.p99Ms / 1000).toFixed(1)} s`,
          f.notVisible?.[w] ? `> ${p.maxMs / 1000} s` : `${(p.maxMs / 1000).toFixed(1)} s`,
        ]),
      ),
    );
    out.push('');
  }
  if (r.reads.length > 0) {
    out.push('## Reads', '');
    out.push(
      `${r.sizes.readSeconds} s per row, 10 connections, all-time list. viewrank: autocannon over HTTP (the cache answers, never ClickHouse). Peers: their own client library, no HTTP in front, so their figures leave out a whole layer viewrank pays for. ${VIDEO_READS}: GET /videos/{id}/views cycling through 11 videos from the head of the catalogue to its tail and ids never viewed (an answer is reused for a refresh period). ${VIDEO_LOOKUPS}: a different id every request, each five primary-key lookups in ClickHouse. ${SERIES_READS} and ${SERIES_LOOKUPS}: the same ids and order against GET /videos/{id}/views/series (the last 60 minutes, one key-range read of views_by_minute a request, never kept in memory). ${SERIES_MANY}: GET /views/series with 100 ids a request, a different 100 each time (one key-range read for all of them), as the leaderboard's charts ask. viewrank's last two columns come from its own /metrics over the run: the p99 of the time it took to handle a request once received (the bound of the request histogram's bucket that holds it), and the p99 of its event loop's delay (a 10 ms timer's lateness); the client's p99 beyond the first is time the request waited for the event loop.`,
      '',
    );
    out.push(
      table(
        [
          'system',
          'k',
          'during ingest',
          'requests/s',
          'p50 ms',
          'p99 ms',
          'max ms',
          'errors',
          'p99 ms in the service',
          'event-loop delay p99 ms',
        ],
        r.reads.map((x) => [
          x.system === SERIES_MANY
            ? `${x.system} (GET /views/series)`
            : isVideoRun(x.system)
              ? `${x.system} (GET /videos/{id}/views${isSeriesRun(x.system) ? '/series' : ''})`
              : x.system,
          isVideoRun(x.system) ? '–' : x.k,
          x.ingest ? 'yes' : 'no',
          n(x.requestsPerSecond),
          x.p50Ms,
          x.p99Ms,
          x.maxMs,
          x.errors,
          handled(x.service?.handledP99Ms),
          x.service?.loopDelayP99Ms ?? '',
        ]),
      ),
    );
    out.push('');
  }
  if (r.page && r.page.length > 0) {
    out.push('### The leaderboard page', '');
    out.push(
      `GET /#k=${r.page[0].k} in headless Chromium (on the same two cores), idle and while ingesting: from navigation to every window's list shown, and to every row's chart of its last 60 minutes drawn (Chart.js; the series asked for many videos a request, GET /views/series; pages in result files before 80abda4 asked one GET /videos/{id}/views/series a video, six at a time). first: a fresh browser page; again: the same page reloaded. Timed by the page itself (performance marks when it first showed each list and every row's chart), from the navigation's start.`,
      '',
    );
    out.push(
      table(
        ['k', 'load', 'rows', 'series requests', 'during ingest', 'lists shown ms', 'charts drawn ms'],
        r.page.map((p) => [
          p.k,
          p.load ?? 'first',
          p.rows,
          p.seriesRequests,
          p.ingest ? 'yes' : 'no',
          n(p.listsShownMs),
          n(p.chartsDrawnMs),
        ]),
      ),
    );
    out.push('');
  }
  if (r.peers.length > 0 && reference) {
    out.push('## Against the alternatives (same stream, same run)', '');
    out.push(
      `Each drains the topic viewrank drained above (${n(reference.views)} views, 100 per message) through a kafkajs consumer. Redis: 4 ZINCRBY per view (hour, day, month, all-time sets), pipelined. PostgreSQL: per Kafka batch, one upsert into the video counters and one into the (hour, video) counters, grouped by key inside the statement; synchronous_commit=off.`,
      '',
    );
    const viewrankK1000 = r.reads.find((x) => x.system === 'viewrank' && x.k === 1000 && !x.ingest);
    out.push(
      table(
        [
          'system',
          'views/s',
          'cores: server',
          'cores: consumer',
          'memory (Pss) MiB',
          'data MiB',
          'read p50 / p99 at k=1000',
          'same all-time top 1000 as viewrank',
        ],
        [
          [
            'viewrank',
            `**${n(reference.viewsPerSecond)}**`,
            reference.cores.service,
            '(in the service)',
            reference.serviceMiB,
            `${reference.diskMiB} (disk)`,
            viewrankK1000 ? `${viewrankK1000.p50Ms} / ${viewrankK1000.p99Ms} ms` : '',
            '—',
          ],
          ...r.peers.map((p) => {
            const read = r.reads.find((x) => x.system === p.system && x.k === 1000);
            return [
              p.system,
              n(p.viewsPerSecond),
              p.cores.server,
              p.cores.consumer,
              p.memoryMiB,
              p.dataMiB,
              read ? `${read.p50Ms} / ${read.p99Ms} ms` : '',
              p.sameTopAsViewrank ? 'yes' : '**no**',
            ];
          }),
        ],
      ),
    );
    out.push('', 'viewrank against each peer (above 1 is viewrank ahead: more views/s, less latency, less memory):', '');
    out.push(
      table(
        ['peer', 'ingest rate', 'read p50 at k=1000', 'read p99 at k=1000', 'memory (Pss)'],
        r.peers.map((p) => {
          const read = r.reads.find((x) => x.system === p.system && x.k === 1000);
          return [
            p.system,
            `${ratio(reference.viewsPerSecond, p.viewsPerSecond)}`,
            read && viewrankK1000 ? ratio(read.p50Ms, viewrankK1000.p50Ms) : 'n/a',
            read && viewrankK1000 ? ratio(read.p99Ms, viewrankK1000.p99Ms) : 'n/a',
            ratio(p.memoryMiB, reference.serviceMiB),
          ];
        }),
      ),
    );
    out.push('');
  }
  if (r.precompute && r.precompute.results.length > 0) {
    out.push('## Top-K refresh: full vs incremental', '');
    out.push(
      `\`bench/precompute.ts\` (run at ${r.precompute.date.slice(0, 16).replace('T', ' ')} UTC): a synthetic Zipf history written straight into ClickHouse, then the service's own refresher: every window in full, then ${r.precompute.rounds} rounds of about 5 s of reference-load views through the materialized views, each followed by an incremental refresh and a full top-1000 computation at the same state (the check, and the time to beat). Both: the median round. Looked up: videos whose exact totals were read.`,
      '',
    );
    out.push(
      table(
        ['videos', 'draws (distinct videos)', 'window', 'full ms', 'incremental ms', 'looked up', 'speed-up', 'exact'],
        r.precompute.results.map((p) => [
          n(p.videos),
          `${n(p.updates)} (${n(p.distinctUpdated)})`,
          p.window,
          n(p.fullMs),
          n(p.incrementalMs),
          n(p.lookedUp),
          `**${p.speedup}×**`,
          p.exact ? 'yes' : '**no**',
        ]),
      ),
    );
    out.push('');
  }
  return out.join('\n');
}

const CHART_PAGE = `<!doctype html><html><body style="margin:0;background:#fff;font-family:DejaVu Sans,sans-serif">
<div style="display:flex;width:1400px;height:520px"><div style="width:700px;padding:10px"><canvas id="ingest"></canvas></div>
<div style="width:700px;padding:10px"><canvas id="reads"></canvas></div></div></body></html>`;

export async function writeChart(r: SuiteResult, file: string): Promise<void> {
  const ingest: [string, number][] = [
    ...r.ingest.drain
      .filter((d) => Object.keys(d.settings).length === 0)
      .map((d): [string, number] => [`viewrank drain, ${d.viewsPerMessage}/msg`, d.viewsPerSecond]),
    ...bestSteady(r).map((s): [string, number] => [
      `viewrank steady, ${settingsText(s.settings).replace('KAFKA_', '')}`,
      s.countedPerSecond,
    ]),
    ...r.physical.map((p): [string, number] => [`direct: ${p.label}`, p.rowsPerSecond]),
    ...r.peers.map((p): [string, number] => [p.system, p.viewsPerSecond]),
  ];
  const topKReads = r.reads.filter((x) => !isVideoRun(x.system));
  const systems = [...new Set(topKReads.map((x) => `${x.system}${x.ingest ? ' (ingesting)' : ''}`))];
  const ks = [...new Set(topKReads.map((x) => x.k))];
  const readSets = systems.flatMap((system, i) =>
    (['p50Ms', 'p99Ms'] as const).map((p) => ({
      label: `${system} ${p.slice(0, 3)}`,
      data: ks.map((k) => r.reads.find((x) => `${x.system}${x.ingest ? ' (ingesting)' : ''}` === system && x.k === k)?.[p] ?? null),
      backgroundColor: ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728'][i % 4] + (p === 'p50Ms' ? 'ff' : '88'),
    })),
  );
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 540 } });
    await page.setContent(CHART_PAGE);
    await page.addScriptTag({ path: join(__dirname, '../node_modules/chart.js/dist/chart.umd.min.js') });
    await page.evaluate(
      ({ ingest, ks, readSets, title }) => {
        // This runs in the page: its globals are Chart.js and the DOM.
        const page = globalThis as unknown as {
          Chart: new (el: unknown, config: unknown) => unknown;
          document: { getElementById(id: string): unknown };
        };
        const { Chart, document } = page;
        const common = { animation: false, responsive: true, maintainAspectRatio: false };
        new Chart(document.getElementById('ingest'), {
          type: 'bar',
          data: {
            labels: ingest.map((x) => x[0]),
            datasets: [
              {
                label: 'views/s',
                data: ingest.map((x) => x[1]),
                backgroundColor: ingest.map((x) =>
                  x[0].startsWith('viewrank') ? '#1f77b4' : x[0].startsWith('direct: ') ? '#9ecae1' : '#d62728',
                ),
              },
            ],
          },
          options: {
            ...common,
            indexAxis: 'y',
            plugins: { title: { display: true, text: `Ingest, views/s (log scale) · ${title}` }, legend: { display: false } },
            scales: { x: { type: 'logarithmic' } },
          },
        });
        new Chart(document.getElementById('reads'), {
          type: 'bar',
          data: { labels: ks.map((k) => `k = ${k}`), datasets: readSets },
          options: {
            ...common,
            plugins: { title: { display: true, text: 'Read latency, ms (p50 solid, p99 light; log scale)' } },
            scales: { y: { type: 'logarithmic' } },
          },
        });
      },
      { ingest, ks, readSets, title: `${r.machine}, ${r.date.slice(0, 10)}` },
    );
    await page.screenshot({ path: file });
  } finally {
    await browser.close();
  }
}

export async function writeSummary(r: SuiteResult, dir: string): Promise<void> {
  writeFileSync(join(dir, 'RESULTS.md'), summaryMarkdown(r) + '\n');
  await writeChart(r, join(dir, 'chart.png'));
}
