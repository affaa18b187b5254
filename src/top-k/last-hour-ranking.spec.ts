import fc from 'fast-check';
import { ledgerKey, outsiderFloor, rankLastHour } from './last-hour';
import { topK } from './ranking';

describe("ranking the sliding hour from the state's top and the open minutes", () => {
  // What the service does (LastHourService.rank), against a recount: the state's top n, then the open views of that
  // top and of the videos reaching the floor, then the state of those outside the top.
  const viaTop = (state: Map<string, number>, open: Map<string, number>, k: number, n: number) => {
    const top = topK(state, n);
    const listed = new Set(top.map((e) => e.videoId));
    const floor = outsiderFloor(top, k, n);
    const read = new Map([...open].filter(([videoId, views]) => views > 0 && (listed.has(videoId) || views >= floor)));
    const outsiders = new Map([...read.keys()].filter((v) => !listed.has(v) && state.has(v)).map((v) => [v, state.get(v)!]));
    return { list: rankLastHour(top, read, top.length < n ? new Map() : outsiders, k), read: read.size };
  };
  const counts = fc.array(fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 30 })), { maxLength: 80 });
  const toMap = (pairs: [number, number][]) => {
    const m = new Map<string, number>();
    for (const [id, views] of pairs) m.set(`v${id}`, (m.get(`v${id}`) ?? 0) + views);
    return m;
  };

  it('equals the top k of state plus open views, ties by id, for any counts', () => {
    fc.assert(
      fc.property(counts, counts, fc.integer({ min: 1, max: 10 }), fc.integer({ min: 0, max: 20 }), (state, open, k, tracked) => {
        const [s, o] = [toMap(state), toMap(open)];
        const all = new Map(s);
        for (const [v, views] of o) all.set(v, (all.get(v) ?? 0) + views);
        expect(viaTop(s, o, k, k + tracked).list).toEqual(topK(all, k));
      }),
      { numRuns: 2000 },
    );
  });

  it('reads fewer open videos the more of the state it tracks', () => {
    // A long tail: 1,000 videos with 1 to 1,000 views in the state, each with 1 open view, and a newcomer with 600.
    const state = new Map(Array.from({ length: 1000 }, (_, i) => [`v${i}`, i + 1]));
    const open = new Map([...Array.from({ length: 1000 }, (_, i): [string, number] => [`v${i}`, 1]), ['new', 600]]);
    const tight = viaTop(state, open, 10, 10);
    const tracked = viaTop(state, open, 10, 500);
    expect(tracked.list).toEqual(tight.list);
    expect(tracked.list[0]).toEqual({ videoId: 'v999', views: 1001 });
    expect(outsiderFloor(topK(state, 500), 10, 500)).toBe(991 - 501);
    expect(tracked.read).toBeLessThan(tight.read);
  });

  it('keys the state by the steps recorded and run, in any order', () => {
    const ledger = new Map([
      [120_000, new Set(['snapshot', 'add'] as const)],
      [60_000, new Set(['add'] as const)],
    ]);
    const same = new Map([
      [60_000, new Set(['add'] as const)],
      [120_000, new Set(['add', 'snapshot'] as const)],
    ]);
    expect(ledgerKey(ledger, [])).toBe(ledgerKey(same, []));
    expect(ledgerKey(ledger, [{ minute: 60_000, step: 'add' }])).toBe(ledgerKey(ledger, []));
    expect(ledgerKey(ledger, [{ minute: 180_000, step: 'add' }])).not.toBe(ledgerKey(ledger, []));
  });
});
