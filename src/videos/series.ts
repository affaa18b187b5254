// Videos' views per bucket (GET /videos/{videoId}/views/series, GET /views/series for many): the grains, their buckets, which ranges can be
// answered at an instant, and the answer with every bucket of the range, zeros included. Pure: the caller supplies
// "now" (the Clock) and the retention settings.

export const GRAINS = ['minute', 'hour', 'day', 'month'] as const;
export type Grain = (typeof GRAINS)[number];

/** At most this many buckets in one answer. */
export const MAX_BUCKETS = 1500;

/** At most this many videos in one answer of GET /views/series (one read of the counting table). */
export const MAX_SERIES_VIDEOS = 100;

/** Buckets in the default range, the newest being the one that holds `to`: the last 60 minutes, 48 hours, 35 days, 13 months. */
export const DEFAULT_BUCKETS: Record<Grain, number> = { minute: 60, hour: 48, day: 35, month: 13 };

/** How long each grain's counting table keeps a bucket (its TTL): the RETENTION_* settings. */
export interface SeriesRetention {
  minuteHours: number;
  hourDays: number;
  monthMonths: number;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const FIXED_MS: Record<Exclude<Grain, 'month'>, number> = { minute: MINUTE_MS, hour: HOUR_MS, day: DAY_MS };

/** The start of the UTC bucket of `grain` that holds `t`. */
export function bucketStart(grain: Grain, t: Date): Date {
  if (grain === 'month') return new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), 1));
  const step = FIXED_MS[grain];
  return new Date(Math.floor(t.getTime() / step) * step);
}

/** The start of the bucket `n` buckets after the one starting at `start` (before it when `n` < 0). */
export function addBuckets(grain: Grain, start: Date, n: number): Date {
  if (grain === 'month') return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + n, 1));
  return new Date(start.getTime() + n * FIXED_MS[grain]);
}

/** How many buckets from the one starting at `first` through the one starting at `last`, both included. */
export function bucketsBetween(grain: Grain, first: Date, last: Date): number {
  if (grain === 'month') return (last.getUTCFullYear() - first.getUTCFullYear()) * 12 + last.getUTCMonth() - first.getUTCMonth() + 1;
  return Math.round((last.getTime() - first.getTime()) / FIXED_MS[grain]) + 1;
}

/** When the counting table's rows of the bucket starting at `start` expire (the table's TTL, from the bucket's start). */
export function bucketExpiresAt(grain: Grain, start: Date, retention: SeriesRetention): Date {
  switch (grain) {
    case 'minute':
      return new Date(start.getTime() + retention.minuteHours * HOUR_MS);
    case 'hour':
    case 'day':
      return new Date(start.getTime() + retention.hourDays * DAY_MS);
    case 'month':
      return addBuckets('month', start, retention.monthMonths);
  }
}

/** The start of the oldest bucket whose rows are all still kept at `now`. */
export function earliestBucket(grain: Grain, now: Date, retention: SeriesRetention): Date {
  let start = bucketStart(grain, new Date(now.getTime() - retentionMs(grain, now, retention)));
  while (bucketExpiresAt(grain, start, retention).getTime() <= now.getTime()) start = addBuckets(grain, start, 1);
  return start;
}

function retentionMs(grain: Grain, now: Date, retention: SeriesRetention): number {
  if (grain === 'minute') return retention.minuteHours * HOUR_MS;
  if (grain !== 'month') return retention.hourDays * DAY_MS;
  return now.getTime() - addBuckets('month', bucketStart('month', now), -retention.monthMonths).getTime();
}

export type SeriesRequest =
  | { kind: 'invalid'; parameter: 'from' | 'to'; reason: string }
  | {
      kind: 'range';
      /** Start of the first bucket. */
      first: Date;
      /** Start of the last bucket (the one holding `to`). */
      last: Date;
      /** End of the last bucket (exclusive). */
      end: Date;
      buckets: number;
    };

/** A range that can be answered: what both series endpoints read. */
export type SeriesRange = Extract<SeriesRequest, { kind: 'range' }>;

/**
 * The buckets asked for: from the one holding `from` through the one holding `to`, both included. `to` defaults to
 * now, `from` to DEFAULT_BUCKETS before `to`'s bucket (or the oldest kept, if later). Both must lie between the oldest
 * bucket kept and now, `from` not after `to`, and at most MAX_BUCKETS buckets between them.
 */
export function seriesRequest(
  grain: Grain,
  from: Date | undefined,
  to: Date | undefined,
  now: Date,
  retention: SeriesRetention,
): SeriesRequest {
  const earliest = earliestBucket(grain, now, retention);
  const valid = `for grain=${grain} it must be between ${earliest.toISOString()} and ${now.toISOString()} (now)`;
  const outside = (parameter: 'from' | 'to', t: Date): SeriesRequest | undefined => {
    if (t.getTime() > now.getTime())
      return { kind: 'invalid', parameter, reason: `${parameter} ${t.toISOString()} is in the future: ${valid}` };
    if (t.getTime() < earliest.getTime())
      return { kind: 'invalid', parameter, reason: `${parameter} ${t.toISOString()} is older than the ${grain} counts kept: ${valid}` };
    return undefined;
  };
  const until = to ?? now;
  const badTo = outside('to', until);
  if (badTo) return badTo;
  const last = bucketStart(grain, until);
  let first: Date;
  if (from === undefined) {
    const byDefault = addBuckets(grain, last, -(DEFAULT_BUCKETS[grain] - 1));
    first = byDefault.getTime() < earliest.getTime() ? earliest : byDefault;
  } else {
    const badFrom = outside('from', from);
    if (badFrom) return badFrom;
    if (from.getTime() > until.getTime())
      return { kind: 'invalid', parameter: 'from', reason: `from ${from.toISOString()} is after to ${until.toISOString()}` };
    first = bucketStart(grain, from);
  }
  const buckets = bucketsBetween(grain, first, last);
  if (buckets > MAX_BUCKETS)
    return {
      kind: 'invalid',
      parameter: 'from',
      reason:
        `from ${first.toISOString()} to ${until.toISOString()} spans ${buckets} ${grain} buckets, at most ${MAX_BUCKETS}: ` +
        `for this to, from must be at or after ${addBuckets(grain, last, -(MAX_BUCKETS - 1)).toISOString()}`,
    };
  return { kind: 'range', first, last, end: addBuckets(grain, last, 1), buckets };
}

export interface SeriesBucket {
  start: string;
  views: number;
}

/** The start (ms) of every bucket from `first`, `buckets` of them. */
export function bucketStarts(grain: Grain, first: Date, buckets: number): number[] {
  return Array.from({ length: buckets }, (_, i) => addBuckets(grain, first, i).getTime());
}

/** Every bucket from `first`, `buckets` of them, with the views counted in each (0 where none). */
export function fillBuckets(grain: Grain, first: Date, buckets: number, counted: ReadonlyMap<number, number>): SeriesBucket[] {
  return bucketStarts(grain, first, buckets).map((start) => ({ start: new Date(start).toISOString(), views: counted.get(start) ?? 0 }));
}

/**
 * The videos GET /views/series asks for (its videoId parameter, once per video), each once in the order first asked,
 * or why they cannot be answered: none, more than MAX_SERIES_VIDEOS, or one that could never be a video id
 * (`idProblem`: the ingest's rule, which names what is wrong).
 */
export function seriesVideos(
  value: unknown,
  idProblem: (id: string) => string | undefined,
): { kind: 'videos'; videoIds: string[] } | { kind: 'invalid'; reason: string } {
  const given: unknown[] = value === undefined ? [] : Array.isArray(value) ? value : [value];
  if (given.length === 0)
    return { kind: 'invalid', reason: `videoId must be given, once per video (videoId=a&videoId=b), 1 to ${MAX_SERIES_VIDEOS} videos` };
  const videoIds = [...new Set(given)];
  if (videoIds.length > MAX_SERIES_VIDEOS)
    return { kind: 'invalid', reason: `videoId names ${videoIds.length} videos, at most ${MAX_SERIES_VIDEOS} in one request` };
  for (const [i, id] of given.entries()) {
    const problem = typeof id !== 'string' ? 'is not a string' : id === '' ? 'must not be empty' : idProblem(id);
    if (problem) return { kind: 'invalid', reason: `videoId #${i + 1} ${problem}` };
  }
  return { kind: 'videos', videoIds: videoIds as string[] };
}
