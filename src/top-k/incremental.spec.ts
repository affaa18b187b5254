import fc from 'fast-check';
import { candidates, Deltas, fromFull, keepHighest, merge, planRefresh, threshold, WindowState } from './incremental';
import { RankedVideo, topK } from './ranking';

const options = { marginMs: 10_000, fullEveryMs: 600_000, tracked: 2 };
const ranked = (...pairs: [string, number][]): RankedVideo[] => pairs.map(([videoId, views]) => ({ videoId, views }));
const state: WindowState = {
  windowStartMs: 1_000_000,
  entries: ranked(['a', 300], ['b', 100]),
  tracked: new Map([
    ['c', 40],
    ['d', 30],
  ]),
  bound: 30,
  serverTimeMs: 5_000_000,
  fullAtServerMs: 4_800_000,
};

describe(planRefresh.name, () => {
  it('computes in full at start-up, at a roll-over, periodically, when the server clock went back, and when bounds went loose', () => {
    expect(planRefresh(undefined, 1_000_000, 5_005_000, 2, options)).toEqual({ mode: 'full', reason: 'start-up' });
    expect(planRefresh(state, 2_000_000, 5_005_000, 2, options)).toEqual({ mode: 'full', reason: 'window rolled over' });
    expect(planRefresh(state, 1_000_000, 5_400_000, 2, options)).toEqual({ mode: 'full', reason: 'periodic full' });
    expect(planRefresh(state, 1_000_000, 4_999_999, 2, options)).toEqual({ mode: 'full', reason: 'server clock moved back' });
    expect(planRefresh(state, 1_000_000, 5_005_000, 2, { ...options, fullEveryMs: 0 })).toEqual({
      mode: 'full',
      reason: 'incremental disabled',
    });
    // Bounds gone loose: the last refresh looked up more than 4 × K videos (K = 2 here).
    expect(planRefresh({ ...state, lookedUp: 9 }, 1_000_000, 5_005_000, 2, options)).toEqual({ mode: 'full', reason: 'bounds loose' });
    expect(planRefresh({ ...state, lookedUp: 8 }, 1_000_000, 5_005_000, 2, options).mode).toBe('incremental');
  });

  it('otherwise reads the growth since the previous refresh (with a margin) that could lift a video to the K-th total', () => {
    // θ = 100, every untracked video is at most 30: only growth of 70 or more can matter.
    expect(planRefresh(state, 1_000_000, 5_005_000, 2, options)).toEqual({ mode: 'incremental', sinceMs: 4_990_000, minDelta: 70 });
    // A list that is not full yet admits any video with views.
    expect(planRefresh(state, 1_000_000, 5_005_000, 3, options)).toMatchObject({ minDelta: 1 });
  });

  it('treats all-time (no window start) as one window that never rolls over', () => {
    expect(planRefresh({ ...state, windowStartMs: null }, null, 5_005_000, 2, options).mode).toBe('incremental');
  });
});

describe(fromFull.name, () => {
  it('keeps the list, tracks the next ones by their totals, and bounds the rest by the last of those', () => {
    const full = ranked(['a', 9], ['b', 8], ['c', 7], ['d', 6]);
    expect(fromFull(full, 2, 2)).toEqual({
      entries: full.slice(0, 2),
      tracked: new Map([
        ['c', 7],
        ['d', 6],
      ]),
      bound: 6,
    });
  });

  it('bounds the rest by 0 when the computation returned fewer rows than asked: no other video has views', () => {
    expect(fromFull(ranked(['a', 9], ['b', 8], ['c', 7]), 2, 2).bound).toBe(0);
  });
});

describe('incremental step', () => {
  it('looks up the list and only the videos whose bound reaches the K-th total', () => {
    const deltas: Deltas = {
      grown: new Map([
        ['c', 70],
        ['x', 75],
      ]),
      maxOther: 5,
    };
    const grown = candidates(state, deltas, 2);
    // c: 40 + 70 ≥ 100; x: 30 + 75 ≥ 100; d grew by at most 5 (35), the rest by at most 5 (35).
    expect(grown.lookup.sort()).toEqual(['a', 'b', 'c', 'x']);
    expect(grown.tracked).toEqual(
      new Map([
        ['c', 110],
        ['d', 35],
        ['x', 105],
      ]),
    );
    expect(grown.bound).toBe(35);

    const next = merge(grown, ranked(['a', 320], ['b', 101], ['c', 108], ['x', 60]), 2, 2);
    expect(next.entries).toEqual(ranked(['a', 320], ['c', 108]));
    // b and x are tracked at their exact totals; over the limit of 2, the lowest (d at 35) folds into the bound.
    expect(next.tracked).toEqual(
      new Map([
        ['b', 101],
        ['x', 60],
      ]),
    );
    expect(next.bound).toBe(35);
  });

  it('equals a recount after every step of random streams, however much the growth is over-counted', () => {
    const step = fc.record({
      views: fc.array(fc.tuple(fc.nat(60), fc.integer({ min: 1, max: 4 })), { maxLength: 40 }),
      overcount: fc.array(fc.nat(3), { minLength: 60, maxLength: 60 }),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 10 }),
        fc.array(step, { minLength: 1, maxLength: 40 }),
        (k, limit, steps) => {
          const truth = new Map<string, number>();
          const add = (video: number, n: number) => truth.set(`v${video}`, (truth.get(`v${video}`) ?? 0) + n);
          // Skewed: low numbers are the popular videos, so lists have contested boundaries.
          for (let v = 0; v < 60; v++) add(v, Math.floor(30 / (v + 1)));
          let s = { ...fromFull(topK(truth, k + limit), k, limit), windowStartMs: 0, serverTimeMs: 0, fullAtServerMs: 0 };
          for (const { views, overcount } of steps) {
            const growth = new Map<string, number>();
            for (const [video, n] of views) {
              add(video % 60, n);
              growth.set(`v${video % 60}`, (growth.get(`v${video % 60}`) ?? 0) + n);
            }
            // What views_recent reports: at least the real growth (overlapping reads count some blocks twice).
            const plan = planRefresh(s, 0, 1, k, { ...options, tracked: limit });
            if (plan.mode !== 'incremental') throw new Error('expected an incremental plan');
            const listed = new Set(s.entries.map((e) => e.videoId));
            const reported = [...growth].filter(([v]) => !listed.has(v)).map(([v, d]) => [v, d + overcount[Number(v.slice(1))]] as const);
            const deltas: Deltas = {
              grown: new Map(reported.filter(([, d]) => d >= plan.minDelta)),
              maxOther: Math.max(0, ...reported.filter(([, d]) => d < plan.minDelta).map(([, d]) => d)),
            };
            const grown = candidates(s, deltas, k);
            const exact = grown.lookup.filter((v) => (truth.get(v) ?? 0) > 0).map((videoId) => ({ videoId, views: truth.get(videoId)! }));
            s = { ...s, ...merge(grown, exact, k, limit) };
            expect(s.entries).toEqual(topK(truth, k));
            expect(s.tracked.size).toBeLessThanOrEqual(limit);
            // Every bound really bounds.
            for (const [videoId, views] of truth) {
              if (s.entries.some((e) => e.videoId === videoId)) continue;
              expect(views).toBeLessThanOrEqual(s.tracked.get(videoId) ?? s.bound);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads the K-th total as the threshold, or 0 while the list is not full', () => {
    expect(threshold(state.entries, 2)).toBe(100);
    expect(threshold(state.entries, 3)).toBe(0);
  });
});

describe(keepHighest.name, () => {
  it('keeps the highest bounds, the first inserted of equal ones, and returns the highest it dropped', () => {
    const tracked = new Map([
      ['a', 5],
      ['b', 9],
      ['c', 5],
      ['d', 1],
      ['e', 5],
    ]);
    expect(keepHighest(tracked, 3)).toBe(5);
    expect([...tracked]).toEqual([
      ['a', 5],
      ['b', 9],
      ['c', 5],
    ]);
    expect(keepHighest(tracked, 3)).toBe(0);
    expect(keepHighest(tracked, 0)).toBe(9);
    expect(tracked.size).toBe(0);
  });

  it('keeps what a stable sort by bound would keep, in the same order', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(20), { maxLength: 60 }), fc.nat(70), (bounds, limit) => {
        const tracked = new Map(bounds.map((ub, i) => [`v${i}`, ub]));
        const bySort = [...tracked].sort((a, b) => b[1] - a[1]);
        const kept = new Set(bySort.slice(0, limit).map(([videoId]) => videoId));
        const dropped = Math.max(0, ...bySort.slice(limit).map(([, ub]) => ub));
        expect(keepHighest(tracked, limit)).toBe(dropped);
        expect([...tracked.keys()]).toEqual(bounds.map((_, i) => `v${i}`).filter((videoId) => kept.has(videoId)));
      }),
    );
  });
});
