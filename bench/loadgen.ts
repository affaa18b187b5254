// Load generator: produces views into Kafka at a target rate, Zipf-distributed over a catalogue, several views per
// message (JSONEachRow lines, or TSV lines with --format TSV for a service with KAFKA_FORMAT=TSV). Used by the
// benchmark suite and useful on its own (`npm run loadgen -- --help`; `npm run demo` is a gentle minute of it).
import { SingleBar } from 'cli-progress';
import { Kafka, logLevel, Message } from 'kafkajs';
import { parseArgs } from 'node:util';
import { MessageFormat } from '../src/ingest/view-events';
import { viewsTopic, withAdmin } from '../src/kafka/kafka-topic';
import { seededRandom } from '../test/support/random';
import { ZipfSampler } from './lib/zipf';

export interface LoadOptions {
  brokers: string[];
  topic: string;
  /** Partitions if the topic has to be created. */
  partitions: number;
  /** Views per second; 0 for as fast as the broker acknowledges. */
  rate: number;
  /** Stop after this many views (exactly), or after durationS, whichever comes first. */
  views?: number;
  durationS?: number;
  videos: number;
  skew: number;
  perMessage: number;
  seed: number;
  /** The topic's message format (the service's KAFKA_FORMAT); JSONEachRow when not given. */
  format?: MessageFormat;
  /** When given, every view is counted here per video id: a recount for exactness checks on small runs. */
  tally?: Map<string, number>;
  onProgress?: (acknowledgedViews: number) => void;
  signal?: AbortSignal;
}

export interface LoadResult {
  views: number;
  messages: number;
  elapsedMs: number;
  viewsPerSecond: number;
}

const VIEWS_PER_REQUEST = 20_000; // one produce request carries this many views at most
const MAX_IN_FLIGHT = 4;

export function videoId(rank: number): string {
  return `v${rank}`;
}

/**
 * One Kafka message value: views as JSONEachRow or TSV lines with epoch-millisecond times. The ids are `v<rank>`,
 * which neither format escapes (src/ingest/view-events.ts encodes any id).
 */
export function viewsMessage(ids: string[], ts: number, format: MessageFormat = 'JSONEachRow'): string {
  let value = '';
  if (format === 'TSV') for (const id of ids) value += `${id}\t${ts}\n`;
  else for (const id of ids) value += `{"video_id":"${id}","ts":${ts}}\n`;
  return value;
}

export async function generateLoad(options: LoadOptions): Promise<LoadResult> {
  const zipf = new ZipfSampler(options.videos, options.skew, seededRandom(options.seed));
  await withAdmin(options.brokers, 5, async (admin) => {
    if (!(await admin.listTopics()).includes(options.topic)) {
      await admin.createTopics({ topics: [viewsTopic(options.topic, options.partitions)], waitForLeaders: true });
    }
  });
  const partitions = await withAdmin(options.brokers, 5, async (admin) => (await admin.fetchTopicOffsets(options.topic)).length);
  const kafka = new Kafka({ clientId: 'viewrank-loadgen', brokers: options.brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const started = performance.now();
  const deadline = options.durationS === undefined ? Infinity : started + options.durationS * 1000;
  const limit = options.views ?? Infinity;
  let queued = 0;
  let acknowledged = 0;
  let messages = 0;
  let failure: unknown;
  const inFlight = new Set<Promise<void>>();
  try {
    while (queued < limit && performance.now() < deadline && !options.signal?.aborted && failure === undefined) {
      if (inFlight.size >= MAX_IN_FLIGHT) {
        await Promise.race(inFlight);
        continue;
      }
      let batch = Math.min(VIEWS_PER_REQUEST, limit - queued);
      if (options.rate > 0) {
        const due = Math.floor(((performance.now() - started) / 1000) * options.rate) - queued;
        if (due < Math.min(batch, Math.max(options.perMessage, options.rate / 200))) {
          await new Promise((r) => setTimeout(r, 5));
          continue;
        }
        batch = Math.min(batch, due);
      }
      const ts = Date.now();
      const request: Message[] = [];
      for (let left = batch; left > 0; left -= options.perMessage) {
        const ids: string[] = [];
        for (let i = Math.min(left, options.perMessage); i > 0; i--) ids.push(videoId(zipf.sample()));
        if (options.tally) for (const id of ids) options.tally.set(id, (options.tally.get(id) ?? 0) + 1);
        request.push({ value: viewsMessage(ids, ts, options.format), partition: messages++ % partitions });
      }
      queued += batch;
      const sent: Promise<void> = producer
        .send({ topic: options.topic, acks: 1, messages: request })
        .then(() => {
          acknowledged += batch;
          options.onProgress?.(acknowledged);
        })
        .catch((error) => {
          failure = error;
        })
        .finally(() => inFlight.delete(sent));
      inFlight.add(sent);
    }
    await Promise.all(inFlight);
    if (failure !== undefined) throw failure;
  } finally {
    await producer.disconnect();
  }
  const elapsedMs = performance.now() - started;
  return { views: acknowledged, messages, elapsedMs: Math.round(elapsedMs), viewsPerSecond: Math.round(acknowledged / (elapsedMs / 1000)) };
}

const USAGE = `Produces views into the Kafka topic the service reads, Zipf-distributed over a catalogue of videos.

Usage: npm run loadgen -- [options]        (npm run demo: --rate 500 --videos 1000 --duration 60)

  --rate N          views per second; 0 is as fast as the broker takes them (default 100000)
  --duration S      seconds to run (default 30)
  --views N         stop after N views instead of after --duration
  --videos N        catalogue size: ids vid-0 … (default 1000000)
  --skew X          Zipf exponent: higher makes the top videos hotter (default 1)
  --per-message N   views per Kafka message (default 100)
  --format F        JSONEachRow or TSV, as the service's KAFKA_FORMAT (default JSONEachRow)
  --topic T         topic (default KAFKA_TOPIC or video-views)
  --brokers B       brokers, comma-separated (default KAFKA_BROKERS or 127.0.0.1:9092)
  --partitions N    partitions of a topic it creates (default 4)
  --seed N          random seed (default 1)
  --json            print the result as one JSON line
  -h, --help        this text
`;

function messageFormat(value: string): MessageFormat {
  if (value !== 'JSONEachRow' && value !== 'TSV') throw new Error(`--format must be JSONEachRow or TSV, got ${JSON.stringify(value)}`);
  return value;
}

async function cli(): Promise<void> {
  const { values } = parseArgs({
    options: {
      rate: { type: 'string', default: '100000' },
      videos: { type: 'string', default: '1000000' },
      skew: { type: 'string', default: '1' },
      'per-message': { type: 'string', default: '100' },
      duration: { type: 'string', default: '30' },
      views: { type: 'string' },
      topic: { type: 'string', default: process.env.KAFKA_TOPIC ?? 'video-views' },
      brokers: { type: 'string', default: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092' },
      partitions: { type: 'string', default: '4' },
      seed: { type: 'string', default: '1' },
      format: { type: 'string', default: 'JSONEachRow' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const number = (name: keyof typeof values, min: number): number => {
    const value = Number(values[name]);
    if (!Number.isFinite(value) || value < min) throw new Error(`--${name} must be a number ≥ ${min}, got ${JSON.stringify(values[name])}`);
    return value;
  };
  const options: LoadOptions = {
    brokers: values.brokers!.split(','),
    topic: values.topic!,
    partitions: number('partitions', 1),
    rate: number('rate', 0),
    views: values.views === undefined ? undefined : number('views', 1),
    durationS: values.views === undefined ? number('duration', 0) : undefined,
    videos: number('videos', 1),
    skew: number('skew', 0),
    perMessage: number('per-message', 1),
    seed: number('seed', 0),
    format: messageFormat(values.format!),
  };
  const abort = new AbortController();
  process.once('SIGINT', () => abort.abort());
  process.once('SIGTERM', () => abort.abort());
  const total = options.views ?? Math.round((options.rate || 1_000_000) * options.durationS!);
  const bar = values.json
    ? undefined
    : new SingleBar({ format: 'views {bar} {percentage}% | {value}/{total} | {rate} views/s', hideCursor: true });
  bar?.start(total, 0, { rate: 0 });
  const started = performance.now();
  const result = await generateLoad({
    ...options,
    signal: abort.signal,
    onProgress: (views) => bar?.update(Math.min(views, total), { rate: Math.round(views / ((performance.now() - started) / 1000)) }),
  });
  bar?.stop();
  const cpu = process.cpuUsage();
  const cores = +((cpu.user + cpu.system) / 1000 / result.elapsedMs).toFixed(2);
  console.log(
    values.json
      ? JSON.stringify({ ...result, cores })
      : `produced ${result.views} views in ${result.messages} messages, ${(result.elapsedMs / 1000).toFixed(1)} s: ${result.viewsPerSecond} views/s`,
  );
}

if (require.main === module) {
  cli().catch((error) => {
    console.error(error instanceof Error ? error.message : error);
    console.error('npm run loadgen -- --help lists the options');
    process.exit(1);
  });
}
