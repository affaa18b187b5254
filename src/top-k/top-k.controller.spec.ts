import { Test } from '@nestjs/testing';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { startTestingApp } from '../../test/support/testing-app';
import { Clock } from '../clock/clock';
import { loadConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { PastList } from './final-list.repository';
import { PrecomputeService } from './precompute.service';
import { PastWindowsBusy, PastWindowsService } from './past-windows.service';
import { PreviousList } from './movement';
import { PreviousListsService } from './previous-lists.service';
import { TopKSnapshot } from './snapshot';
import { TopKController } from './top-k.controller';

/** The HTTP layer alone: validation, status codes and headers, over a cache filled by the test. */
describe(TopKController.name, () => {
  let app: NestFastifyApplication;
  const snapshots = new Map<string, TopKSnapshot>();
  let now = new Date('2026-11-27T10:42:07Z');
  const get = (url: string) => app.inject({ method: 'GET', url });
  /** What the past-window service was asked, and what it answers (a list, or busy). */
  const pastAsked: unknown[][] = [];
  let pastAnswer: PastList | Error;
  /** The list movement=true compares with: undefined while it loads. */
  let previousList: PreviousList | undefined;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [TopKController],
      providers: [
        { provide: PrecomputeService, useValue: { snapshot: (w: string) => snapshots.get(w) } },
        {
          provide: PastWindowsService,
          useValue: {
            list: async (...args: unknown[]) => {
              pastAsked.push(args);
              if (pastAnswer instanceof Error) throw pastAnswer;
              return pastAnswer;
            },
          },
        },
        {
          provide: PreviousListsService,
          useValue: {
            get: () => previousList,
            before: async () => previousList ?? { key: 'none', ranks: new Map(), final: true },
          },
        },
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

  it('movement=true: a 503 to retry while the list to compare with loads, then each entry with its previousRank', async () => {
    snapshots.set('day', {
      window: 'day',
      interval: { start: new Date('2026-11-27T00:00:00Z'), end: new Date('2026-11-28T00:00:00Z') },
      computedAt: new Date('2026-11-27T10:42:05Z'),
      entries: [
        { videoId: 'a', views: 3 },
        { videoId: 'b', views: 2 },
      ],
    });
    previousList = undefined;
    const loading = await get('/views/top-k?window=day&k=2&movement=true');
    expect(loading.statusCode).toBe(503);
    expect(loading.headers['retry-after']).toBe('1');
    expect(loading.json().message).toBe('the list to compare window "day" with is being loaded; retry in a second');
    previousList = {
      key: 'day/2026-11-26T00:00:00.000Z',
      computedAt: new Date('2026-11-27T00:00:31Z'),
      ranks: new Map([['b', 1]]),
      final: true,
    };
    const moved = await get('/views/top-k?window=day&k=2&movement=true');
    expect(moved.statusCode).toBe(200);
    expect(moved.json()).toEqual([
      { videoId: 'a', views: 3, previousRank: null },
      { videoId: 'b', views: 2, previousRank: 1 },
    ]);
    expect(moved.headers['x-previous-computed-at']).toBe('2026-11-27T00:00:31.000Z');
    // Off by default and with movement=false: the list as it always was.
    for (const query of ['', '&movement=false']) {
      const plain = await get(`/views/top-k?window=day&k=2${query}`);
      expect(plain.body).toBe('[{"videoId":"a","views":3},{"videoId":"b","views":2}]');
      expect(plain.headers['x-previous-computed-at']).toBeUndefined();
    }
    const bad = await get('/views/top-k?window=day&k=2&movement=1');
    expect({ status: bad.statusCode, message: bad.json().message }).toEqual({ status: 400, message: ['movement must be true or false'] });
    previousList = undefined;
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

  describe('past windows (at=)', () => {
    it.each([
      ['/views/top-k?window=hour&k=1&at=yesterday', 'at must be an RFC 3339 instant, e.g. 2026-12-02T14:30:00Z'],
      ['/views/top-k?window=hour&k=1&at=2026-11-27', 'at must be an RFC 3339 instant, e.g. 2026-12-02T14:30:00Z'],
      [
        '/views/top-k?window=hour&k=1&at=2026-11-27T10:00:00Z&at=2026-11-27T09:00:00Z',
        'at must be an RFC 3339 instant, e.g. 2026-12-02T14:30:00Z',
      ],
      ['/views/top-k?window=last-hour&k=1&at=2026-11-27T10:00:00Z', 'at applies to window=hour, day or month, not to window=last-hour'],
      ['/views/top-k?window=all-time&k=1&at=2026-11-27T10:00:00Z', 'at applies to window=hour, day or month, not to window=all-time'],
      [
        '/views/top-k?window=day&k=1&at=2026-11-27T10:42:08Z',
        'at 2026-11-27T10:42:08.000Z is in the future: for window=day it must be between 2026-10-24T00:00:00.000Z and 2026-11-27T10:42:07.000Z (now)',
      ],
      [
        '/views/top-k?window=hour&k=1&at=2026-10-23T10:59:59Z',
        'at 2026-10-23T10:59:59.000Z is older than the hour counts kept: for window=hour it must be between 2026-10-23T11:00:00.000Z and 2026-11-27T10:42:07.000Z (now)',
      ],
      [
        '/views/top-k?window=hour&k=1&at=2026-11-27T23:59:60Z',
        'at must be an RFC 3339 instant, e.g. 2026-12-02T14:30:00Z (got "2026-11-27T23:59:60Z")',
      ],
    ])('GET %s → 400 "%s"', async (url, message) => {
      const response = await get(url);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toEqual({ statusCode: 400, error: 'Bad Request', message: [message] });
    });

    it('an instant of the current window is the current list', async () => {
      pastAsked.length = 0;
      const response = await get('/views/top-k?window=all-time&k=1');
      expect(response.statusCode).toBe(200);
      const current = await get('/views/top-k?window=hour&k=2&at=2026-11-27T10:00:00%2B00:00');
      expect(current.statusCode).toBe(200);
      expect(current.headers['x-window-start']).toBe('2026-11-27T10:00:00.000Z');
      expect(current.headers['x-window-final']).toBeUndefined();
      expect(pastAsked).toEqual([]);
    });

    it('a past instant asks for its whole window and serves it with its headers; final lists are cacheable for good', async () => {
      const interval = { start: new Date('2026-11-26T00:00:00Z'), end: new Date('2026-11-27T00:00:00Z') };
      const entries = [
        { videoId: 'p', views: 7 },
        { videoId: 'q', views: 5 },
      ];
      pastAnswer = { window: 'day', interval, computedAt: new Date('2026-11-27T01:00:00Z'), entries, final: true };
      pastAsked.length = 0;
      // 14:30 at UTC+05:30 is 09:00 UTC, on the 26th.
      const response = await get('/views/top-k?window=day&k=1&at=2026-11-26T14:30:00%2B05:30');
      expect(response.statusCode).toBe(200);
      expect(response.body).toBe('[{"videoId":"p","views":7}]');
      expect(pastAsked).toEqual([['day', interval, new Date('2026-11-27T00:00:30Z')]]);
      expect(response.headers).toMatchObject({
        'cache-control': 'public, max-age=31536000, immutable',
        'x-window': 'day',
        'x-window-start': '2026-11-26T00:00:00.000Z',
        'x-window-end': '2026-11-27T00:00:00.000Z',
        'x-computed-at': '2026-11-27T01:00:00.000Z',
        'x-window-final': 'true',
      });
      pastAnswer = { ...pastAnswer, final: false };
      const open = await get('/views/top-k?window=day&k=5&at=2026-11-26T09:00:00Z');
      expect(open.headers).toMatchObject({ 'cache-control': 'no-cache', 'x-window-final': 'false' });
      expect(open.json()).toEqual(entries);
    });

    it('a past window the engine cannot compute now: 503 with Retry-After, not a 500', async () => {
      pastAnswer = new Error('Code: 159. Timeout exceeded\nstack');
      const response = await get('/views/top-k?window=hour&k=1&at=2026-11-27T08:00:00Z');
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('5');
      expect(response.json().message).toBe(
        'the hour list of 2026-11-27T08:00:00.000Z cannot be computed now (Code: 159. Timeout exceeded); retry',
      );
    });

    it('too many past windows at once: 429 with Retry-After', async () => {
      pastAnswer = new PastWindowsBusy('8 past windows are being computed; retry in a second');
      const response = await get('/views/top-k?window=hour&k=1&at=2026-11-27T08:00:00Z');
      expect(response.statusCode).toBe(429);
      expect(response.headers['retry-after']).toBe('1');
      expect(response.json()).toEqual({
        statusCode: 429,
        error: 'Too Many Requests',
        message: '8 past windows are being computed; retry in a second',
      });
    });
  });
});
