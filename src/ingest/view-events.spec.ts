import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clickhouseDir } from '../clickhouse/sql-files';
import { JsonNumber } from '../http/strict-json';
import {
  EPOCH_MS_PATTERN,
  eventProblems,
  eventTimeMs,
  RFC3339_PATTERN,
  toKafkaMessages,
  tsvField,
  videoIdProblem,
  VIEW_PROBLEMS,
  viewProblem,
} from './view-events';

describe(eventTimeMs.name, () => {
  it.each([
    [1795822862500, 1795822862500],
    ['2026-11-27T23:41:02.5Z', Date.UTC(2026, 10, 27, 23, 41, 2, 500)],
    ['2026-11-27 23:41:02+01:00', Date.UTC(2026, 10, 27, 22, 41, 2)],
    ['1795822862500', 1795822862500],
    ['2026-11-28t14:50:36Z', Date.UTC(2026, 10, 28, 14, 50, 36)],
    ['2026-11-28T14:50:36z', Date.UTC(2026, 10, 28, 14, 50, 36)],
    ['2024-02-29T00:00:00.123456789-05:30', Date.UTC(2024, 1, 29, 5, 30, 0, 123)],
  ])('reads %p', (ts, ms) => expect(eventTimeMs(ts)).toBe(ms));

  it.each([
    [-1],
    [1.5],
    [Number.NaN],
    ['-1'],
    ['1.5'],
    ['yesterday'],
    ['2026-11-27'],
    ['2026-13-45T99:00:00Z'],
    ['12/11/2026'],
    ['2026-11-28T25:00:00Z'],
    ['2026-11-28T24:00:00Z'],
    ['2026-11-28T23:59:60Z'],
    ['2026-02-29T00:00:00Z'],
    ['2026-11-31T00:00:00Z'],
    ['Nov 28 10:00'],
    ['2026-11-28T10:00:00'],
    ['2026-11-28T10:00Z'],
    ['2026-11-28T10:00:00+0530'],
    [' 2026-11-28T10:00:00Z'],
    [null],
    [true],
    [{}],
  ])('refuses %p', (ts) => expect(eventTimeMs(ts)).toBeUndefined());

  it('uses the same patterns as the pipeline (the newest definition of views_queue_mv)', () => {
    const migration = readFileSync(join(clickhouseDir(), 'queue', 'views_queue_mv.sql'), 'utf8');
    const sqlString = (pattern: string) => `'${pattern.replace(/\\/g, '\\\\')}'`;
    expect(migration).toContain(`match(ts_text, ${sqlString(RFC3339_PATTERN)})`);
    expect(migration).toContain(`match(ts_text, ${sqlString(EPOCH_MS_PATTERN)})`);
  });
});

describe(eventProblems.name, () => {
  const now = new Date('2026-11-28T03:00:00Z');

  it('accepts a good batch', () => {
    expect(
      eventProblems(
        [
          { video_id: 'a', ts: now.getTime() },
          { video_id: 'é'.repeat(128), ts: '2026-11-28T02:59:00Z' },
        ],
        now,
        90,
      ),
    ).toEqual([]);
  });

  it('names each bad event by its position', () => {
    expect(
      eventProblems(
        [
          { video_id: 'ok', ts: now.getTime() },
          { video_id: 'é'.repeat(129), ts: now.getTime() },
          { video_id: 'x', ts: now.getTime() + 86_400_001 },
          { video_id: 'y', ts: now.getTime() - 91 * 86_400_000 },
          { video_id: 'z', ts: 'soon' },
        ],
        now,
        90,
      ),
    ).toEqual([
      'views.1.video_id is longer than 256 bytes',
      'views.2.ts is more than a day in the future',
      'views.3.ts is more than 90 days old',
      'views.4.ts is neither an RFC 3339 date-time nor epoch milliseconds',
    ]);
  });
});

describe(viewProblem.name, () => {
  const now = new Date('2026-11-28T03:00:00Z');
  const ms = now.getTime();
  it.each<[string, unknown, string | undefined]>([
    ['a good view', { video_id: 'a', ts: ms }, undefined],
    [
      'an id sent as bytes that are not UTF-8 (kept as lone surrogates)',
      { video_id: 'v\udcff\udcfe\udcc3', ts: ms },
      'video_id is not valid UTF-8',
    ],
    ['a number as id', { video_id: 909, ts: ms }, 'video_id must be a string'],
    ['a number written with an exponent as id', { video_id: new JsonNumber('9.09e2'), ts: ms }, 'video_id must be a string'],
    ['null as id', { video_id: null, ts: ms }, 'video_id is missing or empty'],
    [
      'a __proto__ key',
      JSON.parse(`{"video_id":"a","ts":${ms},"__proto__":{}}`),
      '__proto__ is not a field of a view (only video_id and ts)',
    ],
    ['a constructor key', { video_id: 'a', ts: ms, constructor: 1 }, 'constructor is not a field of a view (only video_id and ts)'],
    [
      'ts written as 1.7958e12',
      { video_id: 'a', ts: new JsonNumber('1.7958e12') },
      'ts is neither an RFC 3339 date-time nor epoch milliseconds',
    ],
    [
      'ts written with a fraction',
      { video_id: 'a', ts: new JsonNumber(`${ms}.0`) },
      'ts is neither an RFC 3339 date-time nor epoch milliseconds',
    ],
    ['ts of 16 digits beyond 2^53', { video_id: 'a', ts: new JsonNumber('9999999999999999') }, 'ts is more than a day in the future'],
    [
      'ts of 17 digits',
      { video_id: 'a', ts: new JsonNumber('99999999999999999') },
      'ts is neither an RFC 3339 date-time nor epoch milliseconds',
    ],
    ['a negative ts', { video_id: 'a', ts: -5 }, 'ts is neither an RFC 3339 date-time nor epoch milliseconds'],
    ['ts -0', { video_id: 'a', ts: -0 }, 'ts is more than 90 days old'],
    ['an empty ts', { video_id: 'a', ts: '' }, 'ts is missing or empty'],
    ['a boolean ts', { video_id: 'a', ts: true }, 'ts is neither an RFC 3339 date-time nor epoch milliseconds'],
    ['both wrong: the id is named, as the pipeline does', { video_id: 7, ts: 'soon' }, 'video_id must be a string'],
    ['not an object', [1], 'is not a view: a JSON object with video_id and ts'],
  ])('%s', (_, event, problem) => expect(viewProblem(event, now, 90)).toBe(problem));

  it('gives every reason in the words of the pipeline (clickhouse/queue/views_queue_mv.sql)', () => {
    const view = readFileSync(join(clickhouseDir(), 'queue', 'views_queue_mv.sql'), 'utf8');
    const reasons = [
      VIEW_PROBLEMS.unknownKey(''), // concat(error_key, ' is not a field …')
      VIEW_PROBLEMS.twice(''),
      VIEW_PROBLEMS.idMissing,
      VIEW_PROBLEMS.idNotString,
      VIEW_PROBLEMS.idNotUtf8,
      VIEW_PROBLEMS.idTooLong,
      VIEW_PROBLEMS.tsMissing,
      VIEW_PROBLEMS.tsInvalid,
      VIEW_PROBLEMS.tsFuture,
    ];
    for (const reason of reasons) expect(view).toContain(`'${reason}'`);
    expect(view).toContain("concat('ts is more than ', toString({max_event_age_days:UInt32}), ' days old')");
  });
});

describe(toKafkaMessages.name, () => {
  it('keeps every event, in order, in messages of at most N JSON lines', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ video_id: fc.string({ minLength: 1 }), ts: fc.nat() })),
        fc.integer({ min: 1, max: 50 }),
        (events, n) => {
          const messages = toKafkaMessages(events, 'JSONEachRow', n);
          const rows = messages.flatMap((m) => m.split('\n').map((l) => JSON.parse(l)));
          expect(rows).toEqual(events.map((e) => ({ video_id: e.video_id, ts: String(e.ts) })));
          expect(messages.every((m) => m.split('\n').length <= n)).toBe(true);
        },
      ),
    );
  });

  it('keeps every event, in order, as TSV lines of two fields, whatever the id holds', () => {
    // Unescaping as ClickHouse's TabSeparated reads a field (the integration test has the engine read them).
    const unescape = (field: string) => field.replace(/\\(.)/g, (_, c: string) => ({ t: '\t', n: '\n', r: '\r' })[c] ?? c);
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            video_id: fc.string({ minLength: 1, unit: fc.constantFrom('a', '\\', '\t', '\n', '\r', 'é', 't', 'n') }),
            ts: fc.nat(),
          }),
        ),
        fc.integer({ min: 1, max: 50 }),
        (events, n) => {
          const messages = toKafkaMessages(events, 'TSV', n);
          const lines = messages.flatMap((m) => m.split('\n'));
          expect(lines.every((l) => l.split('\t').length === 2 && !l.includes('\r'))).toBe(true);
          expect(lines.map((l) => l.split('\t').map(unescape))).toEqual(events.map((e) => [e.video_id, String(e.ts)]));
          expect(messages.every((m) => m.split('\n').length <= n)).toBe(true);
        },
      ),
    );
  });

  it('escapes only what TabSeparated must', () => {
    expect(tsvField('a\\b\tc\nd\re"f\'g')).toBe('a\\\\b\\tc\\nd\\re"f\'g');
  });
});

describe(videoIdProblem.name, () => {
  it.each([
    ['dQw4w9WgXcQ'],
    ['é'.repeat(128)],
    ['\u{1F3AC}'],
    ['{}'],
    [' [1, 2]'],
    ['{"a":1}'],
    ['null'],
    ['"quoted"'],
    ['12'],
    ['tab\there'],
    ['\u0000'],
  ])('accepts %p', (id) => expect(videoIdProblem(id)).toBeUndefined());

  it.each([
    ['é'.repeat(129), 'is longer than 256 bytes'],
    ['vid-\ud800', 'is not valid UTF-8'],
    ['\udc00x', 'is not valid UTF-8'],
  ])('refuses %p', (id, problem) => expect(videoIdProblem(id)).toBe(problem));
});
