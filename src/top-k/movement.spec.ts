import { loadConfig } from '../config/app-config';
import { PastList } from './final-list.repository';
import { previousTarget, ranksOf } from './movement';
import { PastWindowsService } from './past-windows.service';
import { PrecomputeService } from './precompute.service';
import { PreviousListsService } from './previous-lists.service';
import { TopKSnapshot } from './snapshot';
import { SnapshotRepository } from './snapshot.repository';
import { topKBody, topKMovementBody } from './top-k.body';
import { tumblingWindow } from './windows';

const at = (iso: string) => new Date(iso);

describe('previousTarget', () => {
  it('hour, day and month compare with the window before the current one, across a year', () => {
    const now = at('2027-01-01T00:00:05Z');
    expect(previousTarget('hour', tumblingWindow('hour', now), now)).toMatchObject({
      kind: 'window',
      key: 'hour/2026-12-31T23:00:00.000Z',
      interval: { start: at('2026-12-31T23:00:00Z'), end: at('2027-01-01T00:00:00Z') },
    });
    expect(previousTarget('day', tumblingWindow('day', now), now).key).toBe('day/2026-12-31T00:00:00.000Z');
    expect(previousTarget('month', tumblingWindow('month', now), now).key).toBe('month/2026-12-01T00:00:00.000Z');
    // The list being served may still be the last window's (just after the hour turned): its previous one, then.
    expect(previousTarget('hour', tumblingWindow('hour', at('2026-12-31T23:59:59Z')), now).key).toBe('hour/2026-12-31T22:00:00.000Z');
  });

  it('last-hour and all-time compare with the list one hour ago, to the minute', () => {
    const now = at('2026-12-03T14:41:06Z');
    expect(previousTarget('last-hour', undefined, now)).toEqual({
      kind: 'hour-ago',
      key: 'last-hour@2026-12-03T13:41:00.000Z',
      at: at('2026-12-03T13:41:00Z'),
    });
    expect(previousTarget('all-time', undefined, now).key).toBe('all-time@2026-12-03T13:41:00.000Z');
  });
});

describe('topKMovementBody', () => {
  it("adds each entry's previous rank, null when it was not in the list, and serves every k as a prefix", () => {
    const entries = [
      { videoId: 'a', views: 9 },
      { videoId: 'b', views: 5 },
      { videoId: 'c', views: 5 },
    ];
    const previous = {
      key: 'k',
      ranks: ranksOf([
        { videoId: 'c', views: 4 },
        { videoId: 'a', views: 2 },
      ]),
      final: true,
    };
    const full = [
      { videoId: 'a', views: 9, previousRank: 2 },
      { videoId: 'b', views: 5, previousRank: null },
      { videoId: 'c', views: 5, previousRank: 1 },
    ];
    for (const k of [1, 2, 3, 1000]) expect(JSON.parse(topKMovementBody(entries, previous, k))).toEqual(full.slice(0, k));
    // Without movement the body is unchanged.
    expect(topKBody(entries, 3)).toBe(JSON.stringify(entries));
    // A newer previous list is used as soon as it is given.
    const newer = { key: 'k2', ranks: ranksOf([{ videoId: 'b', views: 1 }]), final: true };
    expect(JSON.parse(topKMovementBody(entries, newer, 2))).toEqual([
      { videoId: 'a', views: 9, previousRank: null },
      { videoId: 'b', views: 5, previousRank: 1 },
    ]);
  });
});

describe('PreviousListsService', () => {
  function setup() {
    let now = at('2026-12-03T14:00:10Z');
    const asked: string[] = [];
    let final = false;
    const past = {
      list: async (window: string, interval: { start: Date; end: Date }): Promise<PastList> => {
        asked.push(`${window}/${interval.start.toISOString()}`);
        return { window: 'hour', interval, computedAt: now, entries: [{ videoId: 'x', views: 1 }], final };
      },
    } as unknown as PastWindowsService;
    const snapshots = {
      at: async (window: string, instant: Date) => {
        asked.push(`${window}@${instant.toISOString()}`);
        return undefined;
      },
    } as unknown as SnapshotRepository;
    const listeners: ((snapshot: TopKSnapshot) => void)[] = [];
    const precompute = {
      onPublish: (listener: (snapshot: TopKSnapshot) => void) => listeners.push(listener),
    } as unknown as PrecomputeService;
    const service = new PreviousListsService(precompute, past, snapshots, { now: () => now }, loadConfig({ REFRESH_INTERVAL_MS: '1000' }));
    service.onModuleInit();
    const publish = (snapshot: Partial<TopKSnapshot>) => listeners.forEach((listener) => listener(snapshot as TopKSnapshot));
    const settle = () => new Promise((resolve) => setImmediate(resolve));
    return { service, asked, settle, publish, setNow: (d: Date) => (now = d), setFinal: (f: boolean) => (final = f) };
  }

  it('loads in the background: nothing until loaded, then reloaded each refresh period until final, then kept', async () => {
    const t = setup();
    const hour = tumblingWindow('hour', at('2026-12-03T14:00:10Z'));
    expect(t.service.get('hour', hour)).toBeUndefined();
    await t.settle();
    expect(t.service.get('hour', hour)).toMatchObject({ key: 'hour/2026-12-03T13:00:00.000Z', final: false });
    expect(t.asked).toEqual(['hour/2026-12-03T13:00:00.000Z']);
    t.setNow(at('2026-12-03T14:00:11Z'));
    t.setFinal(true);
    expect(t.service.get('hour', hour)).toMatchObject({ final: false });
    await t.settle();
    expect(t.service.get('hour', hour)).toMatchObject({ final: true });
    t.setNow(at('2026-12-03T14:30:00Z'));
    t.service.get('hour', hour);
    await t.settle();
    expect(t.asked).toHaveLength(2);
    // The window moved on: the old previous list is not served for the new one.
    t.setNow(at('2026-12-03T15:00:01Z'));
    expect(t.service.get('hour', tumblingWindow('hour', at('2026-12-03T15:00:01Z')))).toBeUndefined();
    await t.settle();
    expect(t.service.get('hour', tumblingWindow('hour', at('2026-12-03T15:00:01Z')))).toMatchObject({
      key: 'hour/2026-12-03T14:00:00.000Z',
    });
  });

  it('loads with the service: each published list starts loading the one to compare it with, before any read', async () => {
    const t = setup();
    t.publish({ window: 'day', interval: tumblingWindow('day', at('2026-12-03T14:00:10Z')) });
    t.publish({ window: 'last-hour', interval: undefined });
    await t.service.settled();
    expect(t.asked).toEqual(['day/2026-12-02T00:00:00.000Z', 'last-hour@2026-12-03T13:00:00.000Z']);
    expect(t.service.get('day', tumblingWindow('day', at('2026-12-03T14:00:10Z')))).toMatchObject({ key: 'day/2026-12-02T00:00:00.000Z' });
    // Published again within the refresh period, and the hour-ago list the same minute: nothing is read again.
    t.publish({ window: 'day', interval: tumblingWindow('day', at('2026-12-03T14:00:10Z')) });
    t.publish({ window: 'last-hour', interval: undefined });
    await t.service.settled();
    expect(t.asked).toHaveLength(2);
  });

  it("the list one hour ago: none stored is an empty list without a time; a minute later's is loaded behind it", async () => {
    const t = setup();
    expect(await t.service.ready('all-time', undefined)).toEqual({
      key: 'all-time@2026-12-03T13:00:00.000Z',
      ranks: new Map(),
      final: true,
      computedAt: undefined,
      kind: 'hour-ago',
      loadedAt: expect.any(Number),
    });
    t.setNow(at('2026-12-03T14:01:10Z'));
    expect(t.service.get('all-time', undefined)?.key).toBe('all-time@2026-12-03T13:00:00.000Z');
    await t.settle();
    expect(t.service.get('all-time', undefined)?.key).toBe('all-time@2026-12-03T13:01:00.000Z');
    expect(t.asked).toEqual(['all-time@2026-12-03T13:00:00.000Z', 'all-time@2026-12-03T13:01:00.000Z']);
  });
});
