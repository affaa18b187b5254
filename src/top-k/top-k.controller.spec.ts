import { Test } from '@nestjs/testing';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { startTestingApp } from '../../test/support/testing-app';
import { Clock } from '../clock/clock';
import { loadConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { PrecomputeService } from './precompute.service';
import { TopKSnapshot } from './snapshot';
import { TopKController } from './top-k.controller';

/** The HTTP layer alone: validation, status codes and headers, over a cache filled by the test. */
describe(TopKController.name, () => {
  let app: NestFastifyApplication;
  const snapshots = new Map<string, TopKSnapshot>();
  let now = new Date('2026-11-27T10:42:07Z');
  const get = (url: string) => app.inject({ method: 'GET', url });

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [TopKController],
      providers: [
        { provide: PrecomputeService, useValue: { snapshot: (w: string) => snapshots.get(w) } },
        { provide: Clock, useValue: { now: () => now } },
        { provide: APP_CONFIG, useValue: loadConfig({}) },
      ],
    }).compile();
    app = await startTestingApp(moduleRef);
  });

  afterAll(() => app.close());

  it.each([
    ['/views/top-k?k=10', 'window is required'],
    ['/views/top-k?window=week&k=10', 'window must be one of: last-hour, hour, day, month, all-time'],
    ['/views/top-k?window=HOUR&k=10', 'window must be one of: last-hour, hour, day, month, all-time'],
    ['/views/top-k?window=hour', 'k is required'],
    ['/views/top-k?window=hour&k=', 'k is required'],
    ['/views/top-k?window=hour&k=ten', 'k must be an integer'],
    ['/views/top-k?window=hour&k=1.5', 'k must be an integer'],
    ['/views/top-k?window=hour&k=1e3', 'k must be an integer'],
    ['/views/top-k?window=hour&k=-1', 'k must be an integer'],
    ['/views/top-k?window=hour&k=1&k=2', 'k must be an integer'],
    ['/views/top-k?window=hour&k=0', 'k must be between 1 and 1000'],
    ['/views/top-k?window=hour&k=1001', 'k must be between 1 and 1000'],
    ['/views/top-k?window=hour&k=99999999999', 'k must be an integer'],
    ['/views/top-k?window=hour&k=5&limit=3', 'property limit should not exist'],
  ])('GET %s → 400 "%s"', async (url, message) => {
    const response = await get(url);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({ statusCode: 400, error: 'Bad Request', message: [message] });
  });

  it('answers 503 with a reason before the first computation', async () => {
    const response = await get('/views/top-k?window=day&k=5');
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('5');
    expect(response.json().message).toContain('has not been computed yet');
  });

  it('serves the first k of the cached list with the window and computation time in headers', async () => {
    snapshots.set('hour', {
      window: 'hour',
      interval: { start: new Date('2026-11-27T10:00:00Z'), end: new Date('2026-11-27T11:00:00Z') },
      computedAt: new Date('2026-11-27T10:42:05Z'),
      entries: [
        { videoId: 'a', views: 3 },
        { videoId: 'b', views: 2 },
        { videoId: 'c', views: 1 },
      ],
    });
    const response = await get('/views/top-k?window=hour&k=2');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual([
      { videoId: 'a', views: 3 },
      { videoId: 'b', views: 2 },
    ]);
    expect(response.headers['x-window']).toBe('hour');
    expect(response.headers['x-window-start']).toBe('2026-11-27T10:00:00.000Z');
    expect(response.headers['x-window-end']).toBe('2026-11-27T11:00:00.000Z');
    expect(response.headers['x-computed-at']).toBe('2026-11-27T10:42:05.000Z');
    expect(response.headers['age']).toBe('2');
    expect(response.headers['x-stale']).toBeUndefined();
  });

  it('keeps serving a list while refreshes fail, marked stale, then refuses it past the limit', async () => {
    now = new Date('2026-11-27T10:42:20Z');
    const stale = await get('/views/top-k?window=hour&k=1');
    expect(stale.statusCode).toBe(200);
    expect(stale.headers['x-stale']).toBe('true');
    expect(stale.headers['age']).toBe('15');
    now = new Date('2026-11-27T10:59:59Z');
    snapshots.set('all-time', { window: 'all-time', computedAt: new Date('2026-11-27T08:00:00Z'), entries: [{ videoId: 'z', views: 9 }] });
    const tooOld = await get('/views/top-k?window=all-time&k=1');
    expect(tooOld.statusCode).toBe(503);
    expect(tooOld.json().message).toContain('beyond the 7200 s limit');
    now = new Date('2026-11-27T11:00:00Z');
    const ended = await get('/views/top-k?window=hour&k=1');
    expect(ended.statusCode).toBe(503);
    expect(ended.json().message).toContain('has ended');
    now = new Date('2026-11-27T10:42:07Z');
    snapshots.delete('all-time');
  });

  it('serves all-time without window bounds', async () => {
    snapshots.set('all-time', { window: 'all-time', computedAt: new Date('2026-11-27T10:42:05Z'), entries: [{ videoId: 'z', views: 9 }] });
    const response = await get('/views/top-k?window=all-time&k=1000');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual([{ videoId: 'z', views: 9 }]);
    expect(response.headers['x-window-start']).toBeUndefined();
  });
});
