import { loadConfig } from '../config/app-config';
import { PrecomputeService } from '../top-k/precompute.service';
import { VideoViewsRepository } from './video-views.repository';
import { SERVED_WHILE_RENEWING_PERIODS, VideoViewsService } from './video-views.service';

describe('VideoViewsService', () => {
  let now = new Date('2026-12-03T14:41:06Z');
  let lookups = 0;
  let fail = false;
  const repository = {
    counts: async (videoIds: string[]) => {
      lookups++;
      if (fail) throw new Error('engine down');
      return new Map(videoIds.map((id) => [id, { 'last-hour': lookups, hour: 0, day: 0, month: 0, 'all-time': 0 }]));
    },
  } as unknown as VideoViewsRepository;
  const precompute = { snapshot: () => undefined } as unknown as PrecomputeService;
  const service = new VideoViewsService(repository, precompute, { now: () => now }, loadConfig({ REFRESH_INTERVAL_MS: '1000' }));

  const settled = () => new Promise((resolve) => setImmediate(resolve));

  it('shares one lookup between concurrent requests and reuses it for a refresh period', async () => {
    const [a, b] = await Promise.all([service.views('v'), service.views('v')]);
    expect(a).toBe(b);
    expect(lookups).toBe(1);
    now = new Date(now.getTime() + 999);
    expect((await service.views('v')).windows[0].views).toBe(1);
    await service.views('other');
    expect(lookups).toBe(2);
  });

  it('serves the kept answer during the next period while one new lookup runs, then the new answer', async () => {
    now = new Date(now.getTime() + 1); // v's answer is one period old
    const [a, b] = await Promise.all([service.views('v'), service.views('v')]);
    expect([a.windows[0].views, b.windows[0].views]).toEqual([1, 1]);
    await settled();
    expect(lookups).toBe(3);
    expect((await service.views('v')).windows[0].views).toBe(3);
    expect(lookups).toBe(3);
  });

  it('never serves an answer SERVED_WHILE_RENEWING_PERIODS old: it waits for a new lookup', async () => {
    now = new Date(now.getTime() + SERVED_WHILE_RENEWING_PERIODS * 1000);
    expect((await service.views('v')).windows[0].views).toBe(4);
    expect(lookups).toBe(4);
  });

  it('looks new videos asked for during a lookup up together in the next one', async () => {
    const before = lookups;
    const answers = await Promise.all(['n1', 'n2', 'n3', 'n2'].map((id) => service.views(id)));
    expect(answers.map((a) => a.videoId)).toEqual(['n1', 'n2', 'n3', 'n2']);
    expect(lookups - before).toBe(2);
  });

  it('does not keep a failed lookup', async () => {
    fail = true;
    await expect(service.views('broken')).rejects.toThrow('engine down');
    fail = false;
    await expect(service.views('broken')).resolves.toMatchObject({ videoId: 'broken' });
  });

  it('keeps serving the answer a renewal failed to replace, until it is too old', async () => {
    const before = await service.views('renewed');
    fail = true;
    now = new Date(now.getTime() + 1500);
    expect(await service.views('renewed')).toBe(before);
    await settled();
    expect(await service.views('renewed')).toBe(before);
    now = new Date(now.getTime() + (SERVED_WHILE_RENEWING_PERIODS - 1.5) * 1000 - 1);
    expect(await service.views('renewed')).toBe(before);
    now = new Date(now.getTime() + 1);
    await expect(service.views('renewed')).rejects.toThrow('engine down');
    fail = false;
  });
});
