import fc from 'fast-check';
import {
  closingInstantsDue,
  lastHourWindow,
  MINUTE_MS,
  newestClosedMinute,
  newestCovered,
  planLastHourSteps,
  LastHourStep,
} from './last-hour';

type Ledger = Map<number, Set<LastHourStep>>;

/** The minutes whose counts the state holds after a ledger's steps: added and not subtracted. */
function minutesInState(ledger: Ledger): number[] {
  return [...ledger]
    .filter(([, steps]) => steps.has('add') && !steps.has('subtract'))
    .map(([minute]) => minute)
    .sort((a, b) => a - b);
}

const T = (iso: string) => new Date(iso).getTime();
const apply = (ledger: Ledger, steps: { minute: number; step: LastHourStep }[]) => {
  for (const { minute, step } of steps) {
    if (!ledger.has(minute)) ledger.set(minute, new Set());
    ledger.get(minute)!.add(step);
  }
};

describe(lastHourWindow.name, () => {
  it('covers the current minute and the 59 before it', () => {
    const { start, end } = lastHourWindow(new Date('2026-11-28T00:30:15.500Z'));
    expect([start.toISOString(), end.toISOString()]).toEqual(['2026-11-27T23:31:00.000Z', '2026-11-28T00:31:00.000Z']);
  });
});

describe(newestClosedMinute.name, () => {
  it('closes a minute once its end plus the late tolerance has passed', () => {
    expect(newestClosedMinute(T('2026-11-28T00:31:29.999Z'), 30_000)).toBe(T('2026-11-28T00:29:00Z'));
    expect(newestClosedMinute(T('2026-11-28T00:31:30.000Z'), 30_000)).toBe(T('2026-11-28T00:30:00Z'));
  });
});

describe(planLastHourSteps.name, () => {
  it('starts from nothing by snapshotting and adding every closed minute of the window', () => {
    const plan = planLastHourSteps(T('2026-11-28T10:00:40Z'), 30_000, new Map());
    expect(plan.closedThrough).toBe(T('2026-11-28T09:59:00Z'));
    expect(plan.steps).toHaveLength(2 * 59);
    expect(plan.steps[0]).toEqual({ minute: T('2026-11-28T09:01:00Z'), step: 'snapshot' });
    expect(plan.steps.at(-1)).toEqual({ minute: T('2026-11-28T09:59:00Z'), step: 'add' });
  });

  it('subtracts a minute once it leaves, and only if it was added', () => {
    const ledger: Ledger = new Map([
      [T('2026-11-28T09:00:00Z'), new Set<LastHourStep>(['snapshot', 'add'])],
      [T('2026-11-28T08:59:00Z'), new Set<LastHourStep>(['snapshot'])],
    ]);
    for (let m = T('2026-11-28T09:01:00Z'); m <= T('2026-11-28T09:59:00Z'); m += MINUTE_MS) ledger.set(m, new Set(['snapshot', 'add']));
    expect(planLastHourSteps(T('2026-11-28T10:00:40Z'), 30_000, ledger).steps).toEqual([
      { minute: T('2026-11-28T09:00:00Z'), step: 'subtract' },
    ]);
  });

  it('resumes a minute snapshotted but not added (a crash between the two) without snapshotting again', () => {
    const ledger: Ledger = new Map([[T('2026-11-28T09:59:00Z'), new Set<LastHourStep>(['snapshot'])]]);
    for (let m = T('2026-11-28T09:01:00Z'); m < T('2026-11-28T09:59:00Z'); m += MINUTE_MS) ledger.set(m, new Set(['snapshot', 'add']));
    expect(planLastHourSteps(T('2026-11-28T10:00:40Z'), 30_000, ledger).steps).toEqual([
      { minute: T('2026-11-28T09:59:00Z'), step: 'add' },
    ]);
  });

  it('holds a minute open until ClickHouse holds everything Kafka appended by its end plus the tolerance', () => {
    const now = T('2026-11-28T10:00:40Z');
    const full = new Map<number, Set<LastHourStep>>();
    for (let m = T('2026-11-28T09:01:00Z'); m <= T('2026-11-28T09:50:00Z'); m += MINUTE_MS) full.set(m, new Set(['snapshot', 'add']));
    // Ingested through 09:55:29.999: 09:54 closes (its instant is 09:55:30), 09:55 does not yet.
    const lagging = planLastHourSteps(now, 30_000, full, T('2026-11-28T09:55:29.999Z'));
    expect(lagging.closedThrough).toBe(T('2026-11-28T09:53:00Z'));
    expect(lagging.steps.filter((s) => s.step === 'add').map((s) => new Date(s.minute).toISOString())).toEqual([
      '2026-11-28T09:51:00.000Z',
      '2026-11-28T09:52:00.000Z',
      '2026-11-28T09:53:00.000Z',
    ]);
    expect(planLastHourSteps(now, 30_000, full, T('2026-11-28T09:55:30Z')).closedThrough).toBe(T('2026-11-28T09:54:00Z'));
    // Ingestion caught up past the clock: the clock decides.
    expect(planLastHourSteps(now, 30_000, full, T('2026-11-28T11:00:00Z')).closedThrough).toBe(T('2026-11-28T09:59:00Z'));
  });

  it('never closes less than was added, and still subtracts, when the ingestion watermark is unknown', () => {
    const ledger: Ledger = new Map();
    for (let m = T('2026-11-28T09:00:00Z'); m <= T('2026-11-28T09:58:00Z'); m += MINUTE_MS) ledger.set(m, new Set(['snapshot', 'add']));
    const plan = planLastHourSteps(T('2026-11-28T10:00:40Z'), 30_000, ledger, -Infinity);
    expect(plan).toEqual({
      steps: [{ minute: T('2026-11-28T09:00:00Z'), step: 'subtract' }],
      closedThrough: T('2026-11-28T09:58:00Z'),
      clockBehindState: false,
    });
  });

  it('plans nothing when the clock is behind minutes already added', () => {
    const ledger: Ledger = new Map([[T('2026-11-28T10:00:00Z'), new Set<LastHourStep>(['snapshot', 'add'])]]);
    expect(planLastHourSteps(T('2026-11-28T09:00:00Z'), 30_000, ledger)).toMatchObject({ steps: [], clockBehindState: true });
  });

  it('over any forward walk, with runs cut short at random and ingestion lagging, the state is exactly the closed minutes in the window', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            advanceMs: fc.integer({ min: 0, max: 20 * MINUTE_MS }),
            cutAfter: fc.option(fc.nat(130)),
            // How far ingestion trails the clock at this step (an outage: long; a backlog draining: shrinking).
            ingestLagMs: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 90 * MINUTE_MS })),
          }),
          { minLength: 1, maxLength: 60 },
        ),
        fc.integer({ min: 0, max: 120_000 }),
        (walk, lateMs) => {
          const ledger: Ledger = new Map();
          let now = T('2026-11-28T22:50:00Z');
          let ingestedThrough = -Infinity;
          for (const { advanceMs, cutAfter, ingestLagMs } of walk) {
            now += advanceMs;
            ingestedThrough = Math.max(ingestedThrough, now - ingestLagMs); // what ClickHouse holds never shrinks
            const plan = planLastHourSteps(now, lateMs, ledger, ingestedThrough);
            // A crash part-way: only a prefix of the plan took effect (and was recorded).
            apply(ledger, cutAfter === null ? plan.steps : plan.steps.slice(0, cutAfter));
            if (cutAfter !== null) apply(ledger, planLastHourSteps(now, lateMs, ledger, ingestedThrough).steps); // the restart finishes it
            const { start } = lastHourWindow(new Date(now));
            const expected: number[] = [];
            for (let m = start.getTime(); m <= newestClosedMinute(Math.min(now, ingestedThrough), lateMs); m += MINUTE_MS) expected.push(m);
            expect(minutesInState(ledger)).toEqual(expected);
            // Nothing left to do, and no step would be repeated.
            expect(planLastHourSteps(now, lateMs, ledger, ingestedThrough).steps).toEqual([]);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe(closingInstantsDue.name, () => {
  it('lists the closing instants of the minutes after the newest added that are due by the clock', () => {
    const ledger: Ledger = new Map([[T('2026-11-28T09:56:00Z'), new Set<LastHourStep>(['snapshot', 'add'])]]);
    expect(closingInstantsDue(T('2026-11-28T10:00:40Z'), 30_000, ledger).map((t) => new Date(t).toISOString())).toEqual([
      '2026-11-28T09:58:30.000Z',
      '2026-11-28T09:59:30.000Z',
      '2026-11-28T10:00:30.000Z',
    ]);
  });

  it('starts at the window when nothing was added, and is empty when nothing is due', () => {
    expect(closingInstantsDue(T('2026-11-28T10:00:40Z'), 30_000, new Map())).toHaveLength(59);
    expect(
      closingInstantsDue(T('2026-11-28T10:00:20Z'), 30_000, new Map([[T('2026-11-28T09:58:00Z'), new Set<LastHourStep>(['add'])]])),
    ).toEqual([]);
  });
});

describe(newestCovered.name, () => {
  it('finds the newest covered instant with a binary search', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 70 }), fc.integer({ min: -1, max: 70 }), async (n, coveredUpTo) => {
        const instants = Array.from({ length: n }, (_, i) => i * MINUTE_MS);
        const asked: number[] = [];
        const found = await newestCovered(instants, async (t) => (asked.push(t), t <= coveredUpTo * MINUTE_MS));
        const expected = instants.filter((t) => t <= coveredUpTo * MINUTE_MS).at(-1) ?? -Infinity;
        expect(found).toBe(expected);
        expect(asked.length).toBeLessThanOrEqual(Math.ceil(Math.log2(n + 1)));
      }),
    );
  });
});
