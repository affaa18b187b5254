import fc from 'fast-check';
import { eventProblems, eventTimeMs, toKafkaMessages } from './view-events';

describe(eventTimeMs.name, () => {
  it.each([
    [1795822862500, 1795822862500],
    ['2026-11-27T23:41:02.5Z', Date.UTC(2026, 10, 27, 23, 41, 2, 500)],
    ['2026-11-27 23:41:02+01:00', Date.UTC(2026, 10, 27, 22, 41, 2)],
  ])('reads %p', (ts, ms) => expect(eventTimeMs(ts)).toBe(ms));

  it.each([[-1], [1.5], [Number.NaN], ['1795822862500'], ['yesterday'], ['2026-11-27'], ['2026-13-45T99:00:00Z'], [null], [{}]])('refuses %p', (ts) =>
    expect(eventTimeMs(ts)).toBeUndefined(),
  );
});

describe(eventProblems.name, () => {
  const now = new Date('2026-11-28T03:00:00Z');

  it('accepts a good batch', () => {
    expect(eventProblems([{ video_id: 'a', ts: now.getTime() }, { video_id: 'é'.repeat(128), ts: '2026-11-28T02:59:00Z' }], now, 90)).toEqual([]);
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
      'views.4.ts must be epoch milliseconds (an integer) or an RFC 3339 time',
    ]);
  });
});

describe(toKafkaMessages.name, () => {
  it('keeps every event, in order, in messages of at most N JSON lines', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ video_id: fc.string({ minLength: 1 }), ts: fc.nat() })), fc.integer({ min: 1, max: 50 }), (events, n) => {
        const messages = toKafkaMessages(events, n);
        const rows = messages.flatMap((m) => m.split('\n').map((l) => JSON.parse(l)));
        expect(rows).toEqual(events.map((e) => ({ video_id: e.video_id, ts: String(e.ts) })));
        expect(messages.every((m) => m.split('\n').length <= n)).toBe(true);
      }),
    );
  });
});
