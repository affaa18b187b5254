import { availability } from './staleness';

const hourList = {
  window: 'hour' as const,
  interval: { start: new Date('2026-11-28T10:00:00Z'), end: new Date('2026-11-28T11:00:00Z') },
  computedAt: new Date('2026-11-28T10:20:00Z'),
};
const options = { refreshIntervalMs: 5000, maxStalenessMs: 7_200_000 };
const at = (iso: string) => new Date(iso);

describe(availability.name, () => {
  it('serves a fresh list, with its age', () => {
    expect(availability(hourList, at('2026-11-28T10:20:04Z'), options)).toEqual({ serve: true, ageMs: 4000, stale: false });
  });

  it('calls a list stale once two refresh periods have passed', () => {
    expect(availability(hourList, at('2026-11-28T10:20:11Z'), options)).toEqual({ serve: true, ageMs: 11_000, stale: true });
  });

  it('refuses a tumbling list once its window has ended, however young', () => {
    const result = availability(hourList, at('2026-11-28T11:00:00Z'), options);
    expect(result).toEqual({ serve: false, reason: expect.stringContaining('has ended') });
  });

  it('refuses any list older than the limit', () => {
    const allTime = { window: 'all-time' as const, computedAt: new Date('2026-11-28T10:20:00Z') };
    expect(availability(allTime, at('2026-11-28T12:20:00Z'), options).serve).toBe(true);
    expect(availability(allTime, at('2026-11-28T12:20:00.001Z'), options)).toEqual({
      serve: false,
      reason: expect.stringContaining('beyond the 7200 s limit'),
    });
  });

  it('never calls a list stale when refreshes run only on demand', () => {
    expect(
      availability({ window: 'all-time', computedAt: at('2026-11-28T10:00:00Z') }, at('2026-11-28T11:00:00Z'), {
        ...options,
        refreshIntervalMs: 0,
      }),
    ).toEqual({
      serve: true,
      ageMs: 3_600_000,
      stale: false,
    });
  });
});
