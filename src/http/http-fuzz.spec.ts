// Fuzzing the HTTP layer (fast-check): whatever arrives in a query, header or body, the answer is a 2xx for valid
// input and a 4xx whose message names what is wrong otherwise; never a 5xx, never a hang.
import fc from 'fast-check';
import { Test } from '@nestjs/testing';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ThrottlerModule } from '@nestjs/throttler';
import { startTestingApp } from '../../test/support/testing-app';
import { Clock } from '../clock/clock';
import { loadConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { eventTimeMs, videoIdProblem } from '../ingest/view-events';
import { ViewProducer } from '../kafka/view-producer.service';
import { ViewsController } from '../ingest/views.controller';
import { HttpIngestStats } from '../ingest/http-ingest.stats';
import { PastWindowsService } from '../top-k/past-windows.service';
import { PreviousListsService } from '../top-k/previous-lists.service';
import { PrecomputeService } from '../top-k/precompute.service';
import { TopKSnapshot } from '../top-k/snapshot';
import { Interval, isTumbling, MAX_K, WindowName, WINDOWS } from '../top-k/windows';
import { TopKController } from '../top-k/top-k.controller';

const TOKEN = 'fuzz-token-0123456789abcdef';
const NOW = new Date('2026-11-28T03:00:00Z');
const DAY = 86_400_000;

const isJson = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

/** Instants `at` may name at NOW in every tumbling window; the fuzzer's other values of `at` are all invalid. */
const VALID_AT = ['2026-11-28T02:00:00Z', '2026-11-27T10:00:00+05:30', '2026-11-28t02:59:59.999z'];
const INVALID_AT = ['2026-11-28T03:00:00.001Z', '2024-01-01T00:00:00Z', '2026-11-28', 'yesterday', '2026-11-28T24:00:00Z'];

/** The oracle for a top-K query: valid iff exactly window and k, each well-formed, and maybe a valid at. */
function validQuery(params: Record<string, string>): boolean {
  const keys = Object.keys(params).sort();
  const at = keys.includes('at');
  if (at && !(VALID_AT.includes(params.at) && isTumbling(params.window as WindowName))) return false;
  return (
    keys.filter((key) => key !== 'at').join() === 'k,window' &&
    (WINDOWS as readonly string[]).includes(params.window) &&
    /^[0-9]{1,9}$/.test(params.k) &&
    +params.k >= 1 &&
    +params.k <= MAX_K
  );
}

/** The oracle for a POST /views body. */
function validBatch(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body) || Object.keys(body).join() !== 'views') return false;
  const views = (body as { views: unknown }).views;
  if (!Array.isArray(views) || views.length < 1 || views.length > 10_000) return false;
  return views.every((v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v) || Object.keys(v).sort().join() !== 'ts,video_id') return false;
    const { video_id, ts } = v as { video_id: unknown; ts: unknown };
    const ms = eventTimeMs(ts);
    return (
      typeof video_id === 'string' &&
      video_id !== '' &&
      videoIdProblem(video_id) === undefined &&
      ms !== undefined &&
      ms <= NOW.getTime() + DAY &&
      ms >= NOW.getTime() - 90 * DAY
    );
  });
}

describe('HTTP fuzzing', () => {
  let app: NestFastifyApplication;
  const sent: string[][] = [];
  const snapshot: TopKSnapshot = { window: 'hour', computedAt: NOW, entries: [{ videoId: 'a', views: 3 }] };

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [ThrottlerModule.forRoot({ throttlers: [{ name: 'default', ttl: 60_000, limit: 1_000_000 }] })],
      controllers: [TopKController, ViewsController],
      providers: [
        HttpIngestStats,
        { provide: PrecomputeService, useValue: { snapshot: (window: string) => ({ ...snapshot, window }) } },
        {
          provide: PastWindowsService,
          useValue: {
            list: async (window: string, interval: Interval) => ({ window, interval, computedAt: NOW, entries: [], final: true }),
          },
        },
        {
          provide: PreviousListsService,
          useValue: {
            get: () => ({ key: 'hour/x', computedAt: NOW, ranks: new Map([['a', 2]]), final: true }),
            before: async () => ({ key: 'hour/x', computedAt: NOW, ranks: new Map(), final: true }),
          },
        },
        { provide: Clock, useValue: { now: () => NOW } },
        { provide: APP_CONFIG, useValue: loadConfig({ INGEST_TOKENS: TOKEN }) },
        // Kafka itself is exercised in test/http-ingest.int-spec.ts; here only what reaches it matters.
        { provide: ViewProducer, useValue: { send: async (messages: string[]) => void sent.push(messages) } },
      ],
    }).compile();
    app = await startTestingApp(moduleRef);
  });

  afterAll(() => app.close());

  const messageOf = (body: string): string => {
    const message = JSON.parse(body).message;
    return Array.isArray(message) ? message.join('; ') : String(message);
  };

  it('GET /views/top-k: 200 for valid parameters, otherwise 400 naming the parameter', async () => {
    const key = fc.oneof(fc.constantFrom('window', 'k', 'at', 'K', 'limit', 'window[]', ''), fc.string({ maxLength: 8 }));
    const value = fc.oneof(
      fc.constantFrom(...WINDOWS, '0', '1', '10', '1000', '1001', '-1', '1e3', ' 5', '', '٣'),
      fc.constantFrom(...VALID_AT, ...INVALID_AT),
      fc.string({ maxLength: 12 }),
      fc.string({ unit: 'binary', maxLength: 12 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.dictionary(key, value, { maxKeys: 4 }), async (params) => {
        const query = new URLSearchParams(params).toString();
        const response = await app.inject({ method: 'GET', url: `/views/top-k?${query}` });
        if (validQuery(params)) {
          expect(response.statusCode).toBe(200);
          return;
        }
        expect({ query, status: response.statusCode }).toEqual({ query, status: 400 });
        const message = messageOf(response.body);
        expect(message).toMatch(/\b(window|k|at)\b|should not exist/);
      }),
      { numRuns: 400 },
    );
  });

  it('GET /views/top-k: raw, broken query strings never cause a 5xx', async () => {
    const raw = fc.array(
      fc.oneof(fc.constantFrom('%', '%zz', '&', '=', '[', ']', '%00', '%ff', 'window=hour', 'k=5', '+'), fc.string({ maxLength: 5 })),
      { maxLength: 8 },
    );
    await fc.assert(
      fc.asyncProperty(raw, async (parts) => {
        const url = `/views/top-k?${parts.join('')}`;
        const response = await app.inject({ method: 'GET', url });
        expect({ url, status: response.statusCode < 500 }).toEqual({ url, status: true });
      }),
      { numRuns: 300 },
    );
  });

  it('POST /views: 202 for a valid batch, otherwise a 4xx with a message; never a 5xx', async () => {
    const ts = fc.oneof(
      fc.integer({ min: NOW.getTime() - 100 * DAY, max: NOW.getTime() + 2 * DAY }),
      fc
        .date({ min: new Date(NOW.getTime() - 100 * DAY), max: new Date(NOW.getTime() + 2 * DAY), noInvalidDate: true })
        .map((d) => d.toISOString()),
      fc.constantFrom('yesterday', '', -5, 1.5, null, '2026-11-28', true),
      fc.anything(),
    );
    const videoId = fc.oneof(fc.string({ minLength: 1, maxLength: 20 }), fc.constantFrom('', 'é'.repeat(129), 'ok'), fc.anything());
    const event = fc.oneof(
      { weight: 4, arbitrary: fc.record({ video_id: videoId, ts }) },
      { weight: 1, arbitrary: fc.record({ video_id: videoId, ts, extra: fc.anything() }, { requiredKeys: ['video_id'] }) },
      { weight: 1, arbitrary: fc.anything() },
    );
    const body = fc.oneof(
      { weight: 5, arbitrary: fc.record({ views: fc.array(event, { maxLength: 5 }) }) },
      { weight: 1, arbitrary: fc.record({ views: fc.anything(), other: fc.anything() }, { requiredKeys: [] }) },
      { weight: 1, arbitrary: fc.jsonValue() },
    );
    await fc.assert(
      fc.asyncProperty(body, async (payload) => {
        const json = JSON.stringify(payload) ?? 'null';
        const response = await app.inject({
          method: 'POST',
          url: '/views',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
          payload: json,
        });
        const valid = validBatch(JSON.parse(json));
        expect({ json, status: response.statusCode }).toEqual({ json, status: valid ? 202 : 400 });
        // Fastify refuses __proto__ and constructor keys outright (prototype poisoning): "Body is not valid JSON …".
        if (!valid) expect(messageOf(response.body)).toMatch(/views|should not exist|body/i);
      }),
      { numRuns: 500 },
    );
  });

  it('POST /views: any content type, bytes or authorization header gets a 4xx unless all are right', async () => {
    const auth = fc.oneof(
      fc.constant(`Bearer ${TOKEN}`),
      fc.constant(`bearer ${TOKEN}`),
      fc.constantFrom('', 'Bearer', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`),
      fc.string({ maxLength: 40 }),
    );
    const contentType = fc.constantFrom(
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data',
      'application/json; charset=latin1',
      '',
    );
    const payload = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.uint8Array({ maxLength: 60 }).map((b) => Buffer.from(b).toString('latin1')),
      fc.constant('{"views":[{"video_id":"a","ts":1795834800000}]}'),
    );
    await fc.assert(
      fc.asyncProperty(auth, contentType, payload, async (authorization, type, data) => {
        const headers: Record<string, string> = { authorization };
        if (type) headers['content-type'] = type;
        const response = await app.inject({ method: 'POST', url: '/views', headers, payload: data });
        const status = response.statusCode;
        expect({ authorization, type, data, status: status >= 400 && status < 500 ? '4xx' : status }).toEqual({
          authorization,
          type,
          data,
          status: status === 202 ? 202 : '4xx',
        });
        if (status === 202)
          expect(/^bearer /i.test(authorization) && authorization.slice(7) === TOKEN && type.startsWith('application/json')).toBe(true);
        // Fastify reads the body before any guard: a body it cannot take is refused first (400, 413, 415).
        const authorized = /^bearer /i.test(authorization) && authorization.slice(7) === TOKEN;
        const parseable = type.startsWith('application/json') && !type.includes('latin1') && isJson(data);
        if (!authorized && parseable) expect(status).toBe(401);
        if (!authorized && !parseable) expect([400, 401, 415]).toContain(status);
      }),
      { numRuns: 400 },
    );
  });

  it('refuses names every object inherits (constructor, toString, __proto__, …) as query parameters with a 400', async () => {
    for (const name of ['constructor', 'toString', '__proto__', 'valueOf', 'hasOwnProperty', 'isPrototypeOf']) {
      const response = await app.inject({ method: 'GET', url: `/views/top-k?window=day&k=10&${name}=1` });
      expect({ name, status: response.statusCode, message: messageOf(response.body) }).toEqual({
        name,
        status: 400,
        message: `property ${name} should not exist`,
      });
    }
  });

  it('refuses a deeply nested body with a 400, never a 500 (100,000 levels)', async () => {
    for (const payload of [
      `{"views":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
      `{"views":[${'{"a":'.repeat(50)}1${'}'.repeat(50)}]}`,
    ]) {
      const response = await app.inject({
        method: 'POST',
        url: '/views',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        payload,
      });
      expect({ status: response.statusCode, message: messageOf(response.body) }).toEqual({
        status: 400,
        message: 'body is nested deeper than 32 levels',
      });
    }
  });

  it('sends the usual security headers: nosniff, no framing, a content security policy without inline scripts', async () => {
    const response = await app.inject({ method: 'GET', url: '/views/top-k?window=hour&k=1' });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(response.headers['content-security-policy']).toContain("script-src 'self'");
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(response.headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    expect(response.headers['strict-transport-security']).toBeUndefined();
    // Refusals and unknown routes carry them too.
    for (const url of ['/views/top-k?window=nope', '/no-such-route']) {
      const refused = await app.inject({ method: 'GET', url });
      expect([refused.statusCode, refused.headers['x-content-type-options']]).toEqual([url.startsWith('/views') ? 400 : 404, 'nosniff']);
    }
  });

  it('refuses oversized bodies (413) and batches (400)', async () => {
    const big = JSON.stringify({
      views: Array.from({ length: 20_000 }, (_, i) => ({ video_id: `video-${i}-${'x'.repeat(40)}`, ts: NOW.getTime() })),
    });
    const response = await app.inject({
      method: 'POST',
      url: '/views',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      payload: big,
    });
    expect(response.statusCode).toBe(413);
    const tooMany = { views: Array.from({ length: 10_001 }, () => ({ video_id: 'a', ts: NOW.getTime() })) };
    const many = await app.inject({ method: 'POST', url: '/views', headers: { authorization: `Bearer ${TOKEN}` }, payload: tooMany });
    expect({ status: many.statusCode, message: messageOf(many.body) }).toEqual({
      status: 400,
      message: 'views must hold at most 10000 events',
    });
  });
});
