import { loadConfig } from '../config/app-config';
import { PrecomputeService } from '../top-k/precompute.service';
import { VideoViewsRepository } from './video-views.repository';
import { VideoViewsService } from './video-views.service';

describe('VideoViewsService', () => {
  let now = new Date('2026-12-03T14:41:06Z');
  let lookups = 0;
  let fail = false;
  const repository = {
    counts: async () => {
      lookups++;
      if (fail) throw new Error('engine down');
      return { 'last-hour': lookups, hour: 0, day: 0, month: 0, 'all-time': 0 };
    },
  } as unknown as VideoViewsRepository;
  const precompute = { snapshot: () => undefined } as unknown as PrecomputeService;
  const service = new VideoViewsService(repository, precompute, { now: () => now }, loadConfig({ REFRESH_INTERVAL_MS: '1000' }));

  it('shares one lookup between concurrent requests and reuses it for a refresh period, not longer', async () => {
    const [a, b] = await Promise.all([service.views('v'), service.views('v')]);
    expect(a).toBe(b);
    expect(lookups).toBe(1);
    now = new Date(now.getTime() + 999);
    expect((await service.views('v')).windows[0].views).toBe(1);
    await service.views('other');
    expect(lookups).toBe(2);
    now = new Date(now.getTime() + 1);
    expect((await service.views('v')).windows[0].views).toBe(3);
  });

  it('does not keep a failed lookup', async () => {
    fail = true;
    await expect(service.views('broken')).rejects.toThrow('engine down');
    fail = false;
    await expect(service.views('broken')).resolves.toMatchObject({ videoId: 'broken' });
  });
});
