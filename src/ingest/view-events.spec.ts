import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clickhouseDir } from '../clickhouse/sql-files';
import { EPOCH_MS_PATTERN, eventProblems, eventTimeMs, RFC3339_PATTERN, toKafkaMessages, tsvField, videoIdProblem } from './view-events';

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
    expect(migration).toContain(`match(ts, ${sqlString(RFC3339_PATTERN)})`);
    expect(migration).toContain(`match(ts, ${sqlString(EPOCH_MS_PATTERN)})`);
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
      'views.4.ts must be epoch milliseconds or an RFC 3339 date-time',
    ]);
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
    ['vid-\ud800', 'holds an unpaired UTF-16 surrogate (not valid Unicode)'],
    ['\udc00x', 'holds an unpaired UTF-16 surrogate (not valid Unicode)'],
  ])('refuses %p', (id, problem) => expect(videoIdProblem(id)).toBe(problem));
});
