import fc from 'fast-check';
import { lastHourWindow, MINUTE_MS, minutesInState, newestClosedMinute, planSlidingSteps, SlidingStep } from './sliding';

const T = (iso: string) => new Date(iso).getTime();
type Ledger = Map<number, Set<SlidingStep>>;
const apply = (ledger: Ledger, steps: { minute: number; step: SlidingStep }[]) => {
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

describe(planSlidingSteps.name, () => {
  it('starts from nothing by snapshotting and adding every closed minute of the window', () => {
    const plan = planSlidingSteps(T('2026-11-28T10:00:40Z'), 30_000, new Map());
    expect(plan.closedThrough).toBe(T('2026-11-28T09:59:00Z'));
    expect(plan.steps).toHaveLength(2 * 59);
    expect(plan.steps[0]).toEqual({ minute: T('2026-11-28T09:01:00Z'), step: 'snapshot' });
    expect(plan.steps.at(-1)).toEqual({ minute: T('2026-11-28T09:59:00Z'), step: 'add' });
  });

  it('subtracts a minute once it leaves, and only if it was added', () => {
    const ledger: Ledger = new Map([
      [T('2026-11-28T09:00:00Z'), new Set<SlidingStep>(['snapshot', 'add'])],
      [T('2026-11-28T08:59:00Z'), new Set<SlidingStep>(['snapshot'])],
    ]);
    for (let m = T('2026-11-28T09:01:00Z'); m <= T('2026-11-28T09:59:00Z'); m += MINUTE_MS) ledger.set(m, new Set(['snapshot', 'add']));
    expect(planSlidingSteps(T('2026-11-28T10:00:40Z'), 30_000, ledger).steps).toEqual([{ minute: T('2026-11-28T09:00:00Z'), step: 'subtract' }]);
  });

  it('resumes a minute snapshotted but not added (a crash between the two) without snapshotting again', () => {
    const ledger: Ledger = new Map([[T('2026-11-28T09:59:00Z'), new Set<SlidingStep>(['snapshot'])]]);
    for (let m = T('2026-11-28T09:01:00Z'); m < T('2026-11-28T09:59:00Z'); m += MINUTE_MS) ledger.set(m, new Set(['snapshot', 'add']));
    expect(planSlidingSteps(T('2026-11-28T10:00:40Z'), 30_000, ledger).steps).toEqual([{ minute: T('2026-11-28T09:59:00Z'), step: 'add' }]);
  });

  it('plans nothing when the clock is behind minutes already added', () => {
    const ledger: Ledger = new Map([[T('2026-11-28T10:00:00Z'), new Set<SlidingStep>(['snapshot', 'add'])]]);
    expect(planSlidingSteps(T('2026-11-28T09:00:00Z'), 30_000, ledger)).toMatchObject({ steps: [], clockBehindState: true });
  });

  it('over any forward walk, with runs cut short at random, the state is exactly the closed minutes in the window', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ advanceMs: fc.integer({ min: 0, max: 20 * MINUTE_MS }), cutAfter: fc.option(fc.nat(130)) }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 0, max: 120_000 }),
        (walk, lateMs) => {
          const ledger: Ledger = new Map();
          let now = T('2026-11-28T22:50:00Z');
          for (const { advanceMs, cutAfter } of walk) {
            now += advanceMs;
            const plan = planSlidingSteps(now, lateMs, ledger);
            // A crash part-way: only a prefix of the plan took effect (and was recorded).
            apply(ledger, cutAfter === null ? plan.steps : plan.steps.slice(0, cutAfter));
            if (cutAfter !== null) apply(ledger, planSlidingSteps(now, lateMs, ledger).steps); // the restart finishes it
            const { start } = lastHourWindow(new Date(now));
            const expected: number[] = [];
            for (let m = start.getTime(); m <= newestClosedMinute(now, lateMs); m += MINUTE_MS) expected.push(m);
            expect(minutesInState(ledger)).toEqual(expected);
            // Nothing left to do, and no step would be repeated.
            expect(planSlidingSteps(now, lateMs, ledger).steps).toEqual([]);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
