// A reproducible stream of view events and the brute-force recount every test compares against.
import { seededRandom as random } from './random';
import { topK, RankedVideo } from '../../src/top-k/ranking';

export interface ViewEvent {
  videoId: string;
  /** Event time, epoch milliseconds. */
  t: number;
}

/** Small seeded PRNG (mulberry32), so a failing stream can be regenerated from its seed. The load generator's. */
export { random };

/** Samples ranks 0..n-1 with probability proportional to 1/(rank+1)^s. */
export function zipf(n: number, s: number, rnd: () => number): () => number {
  const cumulative = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) cumulative[i] = sum += 1 / Math.pow(i + 1, s);
  return () => {
    const x = rnd() * sum;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** A time range [from, to) with a share of the stream. */
export interface Segment {
  from: number;
  to: number;
  weight: number;
}

export interface StreamSpec {
  seed: number;
  views: number;
  videos: number;
  segments: Segment[];
  /** Fixed blocks of identical counts: each video of a group gets `views` views at instant `at`. */
  ties?: { videoIds: string[]; views: number; at: number }[];
}

/** Video ids include non-ASCII ones, so tie-breaks are checked in byte order, as ClickHouse sorts. */
export function videoId(rank: number): string {
  if (rank % 997 === 5) return `vidé-${rank}`;
  if (rank % 991 === 7) return `vid\u{1F3AC}-${rank}`;
  return `vid-${rank.toString(36)}`;
}

export function generateStream(spec: StreamSpec): ViewEvent[] {
  const rnd = random(spec.seed);
  const pick = zipf(spec.videos, 1.1, rnd);
  // Popularity is not alphabetical: shuffle which id gets which rank.
  const ids = Array.from({ length: spec.videos }, (_, i) => videoId(i));
  for (let i = ids.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [ids[i], ids[j]] = [ids[j], ids[i]];
  }
  const totalWeight = spec.segments.reduce((s, g) => s + g.weight, 0);
  const events: ViewEvent[] = [];
  for (let i = 0; i < spec.views; i++) {
    let w = rnd() * totalWeight;
    const segment = spec.segments.find((g) => (w -= g.weight) < 0) ?? spec.segments[spec.segments.length - 1];
    events.push({ videoId: ids[pick()], t: Math.floor(segment.from + rnd() * (segment.to - segment.from)) });
  }
  for (const tie of spec.ties ?? [])
    for (const id of tie.videoIds) for (let i = 0; i < tie.views; i++) events.push({ videoId: id, t: tie.at });
  // Shuffle so late and out-of-order events are the norm, as on a real topic.
  for (let i = events.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [events[i], events[j]] = [events[j], events[i]];
  }
  return events;
}

/** The event time in one of the accepted encodings, varied by position: epoch ms, RFC 3339 UTC, RFC 3339 with offset. */
export function encodeTs(t: number, variant: number): number | string {
  switch (variant % 3) {
    case 0:
      return t;
    case 1:
      return new Date(t).toISOString();
    default: {
      const shifted = new Date(t + 5.5 * 3_600_000).toISOString().slice(0, 23);
      return `${shifted}+05:30`;
    }
  }
}

/** Kafka message values: JSONEachRow, a varying number of rows per message (1 to maxRows). */
export function toMessages(events: ViewEvent[], maxRows: number, seed = 1): string[] {
  const rnd = random(seed);
  const messages: string[] = [];
  for (let i = 0; i < events.length;) {
    const n = 1 + Math.floor(rnd() * maxRows);
    const rows = events.slice(i, i + n).map((e, j) => JSON.stringify({ video_id: e.videoId, ts: encodeTs(e.t, i + j) }));
    messages.push(rows.join('\n'));
    i += n;
  }
  return messages;
}

/** Brute-force recount: views per video with event time in [start, end) (all events when no interval). */
export function recount(events: ViewEvent[], interval?: { start: Date; end: Date }): Map<string, number> {
  const counts = new Map<string, number>();
  const from = interval?.start.getTime() ?? -Infinity;
  const to = interval?.end.getTime() ?? Infinity;
  for (const e of events) if (e.t >= from && e.t < to) counts.set(e.videoId, (counts.get(e.videoId) ?? 0) + 1);
  return counts;
}

export function expectedTopK(events: ViewEvent[], k: number, interval?: { start: Date; end: Date }): RankedVideo[] {
  return topK(recount(events, interval), k);
}
