import {
  addBuckets,
  bucketsBetween,
  bucketStart,
  bucketStarts,
  earliestBucket,
  fillBuckets,
  MAX_BUCKETS,
  MAX_SERIES_VIDEOS,
  seriesRequest,
  seriesVideos,
} from './series';

const at = (iso: string) => new Date(iso);
const RETENTION = { minuteHours: 3, hourDays: 35, monthMonths: 13 };
const NOW = at('2026-12-03T14:41:06Z');

describe('series buckets', () => {
  it('starts each bucket at its UTC minute, hour, day or month and steps across month lengths and years', () => {
    const t = at('2024-02-29T23:59:59.999Z');
    expect(bucketStart('minute', t).toISOString()).toBe('2024-02-29T23:59:00.000Z');
    expect(bucketStart('hour', t).toISOString()).toBe('2024-02-29T23:00:00.000Z');
    expect(bucketStart('day', t).toISOString()).toBe('2024-02-29T00:00:00.000Z');
    expect(bucketStart('month', t).toISOString()).toBe('2024-02-01T00:00:00.000Z');
    expect(addBuckets('month', at('2024-12-01T00:00:00Z'), 2).toISOString()).toBe('2025-02-01T00:00:00.000Z');
    expect(addBuckets('month', at('2025-01-01T00:00:00Z'), -13).toISOString()).toBe('2023-12-01T00:00:00.000Z');
    expect(bucketsBetween('month', at('2023-12-01T00:00:00Z'), at('2025-01-01T00:00:00Z'))).toBe(14);
    expect(bucketsBetween('minute', at('2026-12-03T14:00:00Z'), at('2026-12-03T14:59:00Z'))).toBe(60);
  });

  it('the oldest bucket kept is the oldest whose rows have not reached the TTL', () => {
    expect(earliestBucket('minute', NOW, RETENTION).toISOString()).toBe('2026-12-03T11:42:00.000Z');
    expect(earliestBucket('hour', NOW, RETENTION).toISOString()).toBe('2026-10-29T15:00:00.000Z');
    expect(earliestBucket('day', NOW, RETENTION).toISOString()).toBe('2026-10-30T00:00:00.000Z');
    expect(earliestBucket('month', NOW, RETENTION).toISOString()).toBe('2025-12-01T00:00:00.000Z');
    // On the instant a bucket expires it is no longer kept.
    expect(earliestBucket('minute', at('2026-12-03T14:41:00Z'), RETENTION).toISOString()).toBe('2026-12-03T11:42:00.000Z');
  });
});

describe('seriesRequest', () => {
  it('defaults to the last 60 minutes, 48 hours, 35 days and 13 months, the open bucket last', () => {
    const expected = {
      minute: ['2026-12-03T13:42:00.000Z', '2026-12-03T14:41:00.000Z', 60],
      hour: ['2026-12-01T15:00:00.000Z', '2026-12-03T14:00:00.000Z', 48],
      day: ['2026-10-30T00:00:00.000Z', '2026-12-03T00:00:00.000Z', 35],
      month: ['2025-12-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z', 13],
    } as const;
    for (const [grain, [first, last, buckets]] of Object.entries(expected)) {
      const r = seriesRequest(grain as keyof typeof expected, undefined, undefined, NOW, RETENTION);
      expect(r).toMatchObject({ kind: 'range', buckets });
      if (r.kind !== 'range') throw new Error('not a range');
      expect([r.first.toISOString(), r.last.toISOString()]).toEqual([first, last]);
      expect(r.end).toEqual(addBuckets(grain as keyof typeof expected, r.last, 1));
    }
  });

  it('takes the buckets holding from and to, both included, and clamps a default from to what is kept', () => {
    const r = seriesRequest('hour', at('2026-12-03T09:59:59Z'), at('2026-12-03T12:00:00Z'), NOW, RETENTION);
    expect(r).toMatchObject({ kind: 'range', first: at('2026-12-03T09:00:00Z'), last: at('2026-12-03T12:00:00Z'), buckets: 4 });
    const shortKept = seriesRequest('minute', undefined, undefined, NOW, { ...RETENTION, minuteHours: 0.5 });
    expect(shortKept).toMatchObject({ kind: 'range', first: at('2026-12-03T14:12:00Z'), buckets: 30 });
    // One instant: one bucket.
    expect(seriesRequest('day', NOW, NOW, NOW, RETENTION)).toMatchObject({ kind: 'range', buckets: 1 });
  });

  it('refuses, naming the parameter and the valid range: the future, older than kept, reversed, too many buckets', () => {
    const valid = 'for grain=minute it must be between 2026-12-03T11:42:00.000Z and 2026-12-03T14:41:06.000Z (now)';
    expect(seriesRequest('minute', undefined, at('2026-12-03T14:42:00Z'), NOW, RETENTION)).toEqual({
      kind: 'invalid',
      parameter: 'to',
      reason: `to 2026-12-03T14:42:00.000Z is in the future: ${valid}`,
    });
    expect(seriesRequest('minute', at('2026-12-03T11:41:59Z'), undefined, NOW, RETENTION)).toEqual({
      kind: 'invalid',
      parameter: 'from',
      reason: `from 2026-12-03T11:41:59.000Z is older than the minute counts kept: ${valid}`,
    });
    expect(seriesRequest('minute', at('2026-12-03T11:00:00Z'), at('2026-12-03T11:30:00Z'), NOW, RETENTION)).toMatchObject({
      kind: 'invalid',
      parameter: 'to',
    });
    expect(seriesRequest('minute', at('2026-12-03T14:00:00Z'), at('2026-12-03T13:00:00Z'), NOW, RETENTION)).toEqual({
      kind: 'invalid',
      parameter: 'from',
      reason: 'from 2026-12-03T14:00:00.000Z is after to 2026-12-03T13:00:00.000Z',
    });
    const long = { ...RETENTION, hourDays: 400 };
    const tooMany = seriesRequest('hour', at('2026-10-01T00:00:00Z'), NOW, NOW, long);
    expect(tooMany).toMatchObject({ kind: 'invalid', parameter: 'from' });
    expect(tooMany.kind === 'invalid' && tooMany.reason).toContain(`spans 1527 hour buckets, at most ${MAX_BUCKETS}`);
    expect(tooMany.kind === 'invalid' && tooMany.reason).toContain('from must be at or after 2026-10-02T03:00:00.000Z');
    expect(seriesRequest('hour', at('2026-10-02T03:00:00Z'), NOW, NOW, long)).toMatchObject({ kind: 'range', buckets: MAX_BUCKETS });
  });
});

describe('fillBuckets', () => {
  it('gives every bucket, zeros where nothing was counted', () => {
    const first = at('2026-11-01T00:00:00Z');
    const counted = new Map([[at('2026-12-01T00:00:00Z').getTime(), 7]]);
    expect(fillBuckets('month', first, 3, counted)).toEqual([
      { start: '2026-11-01T00:00:00.000Z', views: 0 },
      { start: '2026-12-01T00:00:00.000Z', views: 7 },
      { start: '2027-01-01T00:00:00.000Z', views: 0 },
    ]);
  });
});

describe('bucketStarts', () => {
  it('every bucket start from the first, months by the calendar', () => {
    expect(bucketStarts('month', new Date('2026-11-01T00:00:00Z'), 3).map((t) => new Date(t).toISOString())).toEqual([
      '2026-11-01T00:00:00.000Z',
      '2026-12-01T00:00:00.000Z',
      '2027-01-01T00:00:00.000Z',
    ]);
    expect(bucketStarts('minute', new Date('2026-12-03T14:59:00Z'), 2)).toEqual([
      Date.parse('2026-12-03T14:59:00Z'),
      Date.parse('2026-12-03T15:00:00Z'),
    ]);
  });
});

describe('seriesVideos', () => {
  const problem = (id: string) => (id.length > 5 ? 'is longer than 5 bytes' : undefined);

  it('one id or many, each once in the order first asked', () => {
    expect(seriesVideos('a', problem)).toEqual({ kind: 'videos', videoIds: ['a'] });
    expect(seriesVideos(['b', 'a', 'b'], problem)).toEqual({ kind: 'videos', videoIds: ['b', 'a'] });
    const many = Array.from({ length: MAX_SERIES_VIDEOS }, (_, i) => String(i));
    expect(seriesVideos([...many, '0'], problem)).toEqual({ kind: 'videos', videoIds: many });
  });

  it('none, too many, or one that could never be an id: the reason names videoId and which', () => {
    expect(seriesVideos(undefined, problem)).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/^videoId must be given/) });
    expect(seriesVideos([], problem)).toMatchObject({ kind: 'invalid' });
    const tooMany = Array.from({ length: MAX_SERIES_VIDEOS + 1 }, (_, i) => String(i));
    expect(seriesVideos(tooMany, problem)).toEqual({
      kind: 'invalid',
      reason: `videoId names ${MAX_SERIES_VIDEOS + 1} videos, at most ${MAX_SERIES_VIDEOS} in one request`,
    });
    expect(seriesVideos(['a', 'b', 'toolong'], problem)).toEqual({ kind: 'invalid', reason: 'videoId #3 is longer than 5 bytes' });
    expect(seriesVideos(['a', ''], problem)).toEqual({ kind: 'invalid', reason: 'videoId #2 must not be empty' });
    expect(seriesVideos([{ x: 1 }], problem)).toEqual({ kind: 'invalid', reason: 'videoId #1 is not a string' });
  });
});
