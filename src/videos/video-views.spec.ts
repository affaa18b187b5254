import { TopKSnapshot } from '../top-k/snapshot';
import { WINDOW_SPECS, WindowName, WINDOWS } from '../top-k/windows';
import { rankIn, videoViews } from './video-views';

describe('videoViews', () => {
  const now = new Date('2026-12-03T14:41:06Z');
  const entries = [
    { videoId: 'a', views: 9 },
    { videoId: 'b', views: 5 },
    { videoId: 'é', views: 5 },
  ];
  const list = (window: WindowName): TopKSnapshot => ({ window, computedAt: new Date('2026-12-03T14:41:05Z'), entries });
  const intervals = Object.fromEntries(WINDOWS.map((w) => [w, WINDOW_SPECS[w].intervalAt(now)])) as Parameters<typeof videoViews>[3];
  const counts = { 'last-hour': 1, hour: 2, day: 3, month: 4, 'all-time': 5 };

  it('ranks by position in the served list, 1-based', () => {
    expect([rankIn(entries, 'a'), rankIn(entries, 'é'), rankIn(entries, 'z')]).toEqual([1, 3, null]);
  });

  it('gives every window its count, bounds and rank, and says when the video is not in the top 1000', () => {
    const result = videoViews('é', now, counts, intervals, (w) => (w === 'all-time' ? undefined : list(w)));
    expect(result.videoId).toBe('é');
    expect(result.at).toBe('2026-12-03T14:41:06.000Z');
    expect(result.windows.map((w) => w.window)).toEqual(WINDOWS);
    expect(result.windows[1]).toEqual({
      window: 'hour',
      start: '2026-12-03T14:00:00.000Z',
      end: '2026-12-03T15:00:00.000Z',
      views: 2,
      rank: 3,
      inTop1000: true,
      rankComputedAt: '2026-12-03T14:41:05.000Z',
    });
    expect(result.windows[0]).toMatchObject({ start: '2026-12-03T13:42:00.000Z', end: '2026-12-03T14:42:00.000Z', views: 1 });
    expect(result.windows[4]).toEqual({ window: 'all-time', views: 5, rank: null, inTop1000: false, rankComputedAt: null });
    const outside = videoViews('z', now, counts, intervals, list);
    expect(outside.windows.every((w) => w.rank === null && !w.inTop1000 && w.rankComputedAt !== null)).toBe(true);
  });
});
