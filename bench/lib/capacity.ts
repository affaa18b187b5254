// The capacity model (#20, docs/capacity.md): what a load of V views/s over a catalogue of N videos needs in a
// ClickHouse cluster sharded by video, from what the benchmarks measured on one machine. Pure: the measured inputs
// come in as arguments (bench/capacity.ts reads them from bench/results/), every assumption is a named parameter, and
// each figure comes out with the assumption it rests on.

/** What the benchmarks measured, each with the file it came from. */
export interface Measured {
  /** Views per second per core of the service process through the Kafka engine, exactly once (bench:drain). */
  ingestViewsPerCoreSecond: number;
  /** A full top-1000 refresh, milliseconds per million videos of the window, at the largest catalogue measured (bench:precompute). */
  fullRefreshMsPerMillionVideos: number;
  /** The slowest incremental refresh of one window measured, at any catalogue size (bench:precompute). */
  incrementalRefreshMs: number;
  /** Bytes on disk per row, per table (bench:storage). */
  bytesPerRow: Record<string, number>;
  sources: string[];
}

export interface Load {
  viewsPerSecond: number;
  videos: number;
}

export interface Assumptions {
  /** Cores of one ClickHouse server (a shard replica). */
  coresPerServer: number;
  /** The share of its cores a server spends on ingestion at the steady load: the rest for merges, refreshes, analysts and catching up. */
  ingestCpuShare: number;
  /** Servers per shard (copies of each row). */
  replicas: number;
  /** Retention, as the service's defaults: RETENTION_MINUTE_HOURS, RETENTION_HOUR_DAYS, RETENTION_MONTH_MONTHS. */
  minuteHours: number;
  hourDays: number;
  monthMonths: number;
  /** views_recent keeps the last 2 hours of blocks; one block per KAFKA_FLUSH_INTERVAL_MS per consumer. */
  recentHours: number;
  blockSeconds: number;
  consumersPerServer: number;
  /** Disk is provisioned so that data fills at most this share of it (merges need room to rewrite parts). */
  diskFillShare: number;
  /** The largest disk a server gets: past it, shards are added for storage rather than for CPU. */
  maxDiskPerServerBytes: number;
  /** A view on the topic: {"video_id":"dQw4w9WgXcQ","ts":1764772865123} and its newline. */
  bytesPerView: number;
  /** What one Kafka partition takes comfortably, and one broker (its disk and network, replication included). */
  partitionBytesPerSecond: number;
  brokerBytesPerSecond: number;
  kafkaReplication: number;
  kafkaRetentionHours: number;
  /** Years of views in all-time (views_total). */
  allTimeYears: number;
}

export const DEFAULT_ASSUMPTIONS: Assumptions = {
  coresPerServer: 32,
  ingestCpuShare: 0.5,
  replicas: 2,
  minuteHours: 3,
  hourDays: 35,
  monthMonths: 13,
  recentHours: 2,
  blockSeconds: 1,
  consumersPerServer: 2,
  diskFillShare: 0.6,
  maxDiskPerServerBytes: 8 * 2 ** 40,
  bytesPerView: 48,
  partitionBytesPerSecond: 5e6,
  brokerBytesPerSecond: 100e6,
  kafkaReplication: 3,
  kafkaRetentionHours: 24,
  allTimeYears: 10,
};

/**
 * Expected number of distinct videos among `views` views over a catalogue of `videos`, when views follow Zipf s = 1
 * (the i-th most popular video gets a share 1 / (i·H)), as the benchmarks draw them: the sum over videos of
 * 1 - exp(-views·p_i), integrated over the ranks in log space (exact to a fraction of a percent; the spec compares it
 * with the sum).
 */
export function distinctVideos(views: number, videos: number): number {
  if (views <= 0 || videos <= 0) return 0;
  const harmonic = Math.log(videos) + 0.5772156649 + 1 / (2 * videos);
  const seen = (rank: number) => 1 - Math.exp(-views / (rank * harmonic));
  // The first ranks one by one (they are nearly always seen), then the rest as an integral over u = ln(rank).
  const head = Math.min(videos, 1000);
  let total = 0;
  for (let rank = 1; rank <= head; rank++) total += seen(rank);
  if (videos > head) {
    const steps = 4000;
    const from = Math.log(head + 0.5);
    const to = Math.log(videos + 0.5);
    const du = (to - from) / steps;
    for (let i = 0; i < steps; i++) {
      const rank = Math.exp(from + (i + 0.5) * du);
      total += seen(rank) * rank * du;
    }
  }
  return Math.min(total, videos, views);
}

export interface Figure {
  what: string;
  value: string;
  basis: string;
}

export interface Plan {
  shards: number;
  servers: number;
  figures: Figure[];
}

const GIB = 2 ** 30;
const TIB = 2 ** 40;
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const bytes = (n: number) => (n >= TIB ? `${fmt(n / TIB, 1)} TiB` : `${fmt(n / GIB, 1)} GiB`);
const count = (n: number) => (n >= 1e9 ? `${fmt(n / 1e9, 2)}B` : n >= 1e6 ? `${fmt(n / 1e6, 1)}M` : fmt(n));

/** The tables whose rows grow with the load, how many rows each keeps, and the bytes per row of which measured table. */
function tableRows(load: Load, a: Assumptions, shards: number): { table: string; rows: number; basis: string }[] {
  const v = load.viewsPerSecond;
  const n = load.videos;
  const perMinute = distinctVideos(v * 60, n);
  const perHour = distinctVideos(v * 3600, n);
  const perDay = distinctVideos(v * 86_400, n);
  const perMonth = distinctVideos(v * 86_400 * 30.4, n);
  const allTime = distinctVideos(v * 86_400 * 365 * a.allTimeYears, n);
  // views_recent: one row per block and (hour, video) in it; each shard's consumers write their own blocks.
  const blocksKept = ((a.recentHours * 3600) / a.blockSeconds) * shards * a.replicas * a.consumersPerServer;
  const perBlock = distinctVideos((v / (shards * a.consumersPerServer)) * a.blockSeconds, n / shards);
  return [
    {
      table: 'views_by_minute',
      rows: a.minuteHours * 60 * perMinute,
      basis: `${a.minuteHours} h of minutes × ${count(perMinute)} videos a minute`,
    },
    { table: 'last_hour_minutes', rows: a.minuteHours * 60 * perMinute, basis: 'as views_by_minute (frozen minutes)' },
    { table: 'views_last_hour', rows: perHour, basis: `${count(perHour)} videos an hour` },
    { table: 'views_by_hour', rows: a.hourDays * 24 * perHour, basis: `${a.hourDays} days of hours × ${count(perHour)} videos an hour` },
    { table: 'views_by_day', rows: a.hourDays * perDay, basis: `${a.hourDays} days × ${count(perDay)} videos a day` },
    { table: 'views_by_month', rows: a.monthMonths * perMonth, basis: `${a.monthMonths} months × ${count(perMonth)} videos a month` },
    { table: 'views_total', rows: allTime, basis: `every video viewed in ${a.allTimeYears} years: ${count(allTime)}` },
    {
      table: 'views_recent',
      rows: (blocksKept / a.replicas) * perBlock,
      basis: `${a.recentHours} h of 1 block/${a.blockSeconds} s per consumer × ${count(perBlock)} videos a block`,
    },
  ];
}

/** Sizes the cluster for `load`. Rows are counted once; disk per server counts its shard's share, on each replica. */
export function plan(load: Load, measured: Measured, a: Assumptions = DEFAULT_ASSUMPTIONS): Plan {
  const figures: Figure[] = [];
  const add = (what: string, value: string, basis: string) => figures.push({ what, value, basis });

  // CPU decides the shards, ingestion being the work that grows with the load, unless the data needs more disks.
  const ingestCores = load.viewsPerSecond / measured.ingestViewsPerCoreSecond;
  const cpuShards = Math.max(1, Math.ceil(ingestCores / (a.coresPerServer * a.ingestCpuShare)));
  const dataBytes = (shards: number) =>
    tableRows(load, a, shards).reduce(
      (sum, r) => sum + r.rows * (measured.bytesPerRow[r.table] ?? measured.bytesPerRow.views_by_minute),
      0,
    );
  let shards = cpuShards;
  while (dataBytes(shards) / shards / a.diskFillShare > a.maxDiskPerServerBytes) shards++;
  const servers = shards * a.replicas;
  add(
    'cores for ingestion',
    fmt(ingestCores, 1),
    `${fmt(load.viewsPerSecond)} views/s ÷ ${fmt(measured.ingestViewsPerCoreSecond)} views/s per core (measured, exactly once)`,
  );
  add(
    'shards',
    fmt(shards),
    `${fmt(cpuShards)} for CPU (ingestion at most ${fmt(a.ingestCpuShare * 100)}% of a ${a.coresPerServer}-core server; the rest merges, refreshes, ` +
      `answers analysts and catches up)${shards > cpuShards ? `, ${fmt(shards)} for disk (at most ${bytes(a.maxDiskPerServerBytes)} a server)` : ''}`,
  );
  add(
    'servers',
    fmt(servers),
    `${shards} shards × ${a.replicas} replicas (a replica fetches the parts another wrote, so ingestion runs once per shard; each merges its own copy)`,
  );
  add(
    'views/s per shard',
    fmt(load.viewsPerSecond / shards),
    'the topic partitioned by cityHash64(video_id), as the Distributed tables shard',
  );

  // Disk.
  const rows = tableRows(load, a, shards);
  let totalBytes = 0;
  for (const { table, rows: n, basis } of rows) {
    const perRow = measured.bytesPerRow[table] ?? measured.bytesPerRow.views_by_minute;
    const measuredFor = measured.bytesPerRow[table] !== undefined ? table : 'views_by_minute (not measured on its own)';
    const size = n * perRow;
    totalBytes += size;
    add(`rows: ${table}`, `${count(n)} (${bytes(size)})`, `${basis}; ${fmt(perRow, 1)} bytes/row measured for ${measuredFor}`);
  }
  const perServerData = totalBytes / shards;
  add('data per server', bytes(perServerData), `all tables above ÷ ${shards} shards (every replica holds its shard's whole share)`);
  add(
    'disk per server',
    bytes(perServerData / a.diskFillShare),
    `data at most ${fmt(a.diskFillShare * 100)}% of the disk: merges rewrite parts beside the old ones`,
  );

  // Memory: what a refresh reads every second stays in the page cache.
  const hot = rows.filter((r) => ['views_recent', 'views_by_minute', 'views_last_hour', 'views_total'].includes(r.table));
  const hotBytes =
    hot.reduce((sum, r) => sum + r.rows * (measured.bytesPerRow[r.table] ?? measured.bytesPerRow.views_by_minute), 0) / shards;
  add(
    'memory per server',
    bytes(hotBytes + 16 * GIB),
    `page cache for what refreshes read every second (views_recent, views_by_minute, views_last_hour, views_total: ${bytes(hotBytes)}) + 16 GiB for ClickHouse (merges, marks, queries)`,
  );

  // Kafka.
  const topicBytes = load.viewsPerSecond * a.bytesPerView;
  const partitions = roundUpTo(Math.max(Math.ceil(topicBytes / a.partitionBytesPerSecond), shards * a.consumersPerServer), shards);
  const brokers = Math.max(3, Math.ceil((topicBytes * a.kafkaReplication) / a.brokerBytesPerSecond));
  add('topic throughput', `${fmt(topicBytes / 1e6, 1)} MB/s`, `${a.bytesPerView} bytes a view (JSON line)`);
  add(
    'Kafka partitions',
    fmt(partitions),
    `${fmt(a.partitionBytesPerSecond / 1e6)} MB/s a partition, at least ${a.consumersPerServer} consumers per shard, a multiple of the shards`,
  );
  add(
    'Kafka brokers',
    fmt(brokers),
    `${a.kafkaReplication} copies × ${fmt(topicBytes / 1e6, 1)} MB/s ÷ ${fmt(a.brokerBytesPerSecond / 1e6)} MB/s a broker, at least 3`,
  );
  add(
    'Kafka disk per broker',
    bytes((topicBytes * a.kafkaReplication * a.kafkaRetentionHours * 3600) / brokers / a.diskFillShare),
    `${a.kafkaRetentionHours} h retained × ${a.kafkaReplication} copies, at most ${fmt(a.diskFillShare * 100)}% full`,
  );

  // Time.
  const fullPerShardS = ((load.videos / shards / 1e6) * measured.fullRefreshMsPerMillionVideos) / 1000;
  add(
    'full refresh of all-time at start-up',
    `${fmt(fullPerShardS, 0)} s per shard (at the measured rate)`,
    `${count(load.videos / shards)} videos per shard × ${fmt(measured.fullRefreshMsPerMillionVideos)} ms per million (measured on 2 cores; a GROUP BY spreads over cores, so ${a.coresPerServer} cores should take a fraction of it: not measured)`,
  );
  add(
    'incremental refresh',
    `≈ ${fmt(measured.incrementalRefreshMs)} ms a window`,
    'bounded by the ~1,000 listed videos and those touched since the last refresh, not by the catalogue (measured from 1M to 50M videos); each shard ranks its own and the initiator merges k per shard',
  );
  return { shards, servers, figures };
}

function roundUpTo(n: number, multiple: number): number {
  return Math.ceil(n / multiple) * multiple;
}

/** The plan as a Markdown table. */
export function planMarkdown(load: Load, result: Plan): string {
  const lines = [
    `For ${fmt(load.viewsPerSecond)} views/s over ${count(load.videos)} videos:`,
    '',
    '| what | figure | basis (assumption or measurement) |',
    '|---|---|---|',
    ...result.figures.map((f) => `| ${f.what} | ${f.value} | ${f.basis} |`),
  ];
  return `${lines.join('\n')}\n`;
}
