import { isGrowing, tumblingWindow, WINDOW_SPECS, WindowName, WINDOWS } from './windows';

const at = (iso: string) => new Date(iso);
const bounds = (w: 'hour' | 'day' | 'month', iso: string) => {
  const { start, end } = tumblingWindow(w, at(iso));
  return [start.toISOString(), end.toISOString()];
};

describe(tumblingWindow.name, () => {
  it('hour runs from the top of the UTC hour to the next', () => {
    expect(bounds('hour', '2026-11-27T23:59:59.999Z')).toEqual(['2026-11-27T23:00:00.000Z', '2026-11-28T00:00:00.000Z']);
    expect(bounds('hour', '2026-11-27T23:00:00.000Z')).toEqual(['2026-11-27T23:00:00.000Z', '2026-11-28T00:00:00.000Z']);
  });

  it('day runs from 00:00 UTC to the next midnight, across month and year ends', () => {
    expect(bounds('day', '2026-11-30T12:00:00Z')).toEqual(['2026-11-30T00:00:00.000Z', '2026-12-01T00:00:00.000Z']);
    expect(bounds('day', '2026-12-31T23:59:59.999Z')).toEqual(['2026-12-31T00:00:00.000Z', '2027-01-01T00:00:00.000Z']);
  });

  it('month runs from the 1st to the 1st of the next month, including February of a leap year', () => {
    expect(bounds('month', '2028-02-29T10:00:00Z')).toEqual(['2028-02-01T00:00:00.000Z', '2028-03-01T00:00:00.000Z']);
    expect(bounds('month', '2026-12-15T00:00:00Z')).toEqual(['2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z']);
    expect(bounds('month', '2026-11-01T00:00:00.000Z')).toEqual(['2026-11-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z']);
  });

  it('ignores the host time zone', () => {
    const previous = process.env.TZ;
    process.env.TZ = 'Pacific/Kiritimati';
    try {
      expect(bounds('day', '2026-11-27T23:30:00Z')).toEqual(['2026-11-27T00:00:00.000Z', '2026-11-28T00:00:00.000Z']);
    } finally {
      process.env.TZ = previous;
    }
  });
});

describe('WINDOW_SPECS', () => {
  const now = new Date('2026-11-28T10:41:30.500Z');

  it('gives each window its instance at an instant: the moving hour, the current hour, day and month, none for all-time', () => {
    const at = (w: WindowName) => {
      const i = WINDOW_SPECS[w].intervalAt(now);
      return i && [i.start.toISOString(), i.end.toISOString()];
    };
    expect(at('last-hour')).toEqual(['2026-11-28T09:42:00.000Z', '2026-11-28T10:42:00.000Z']);
    expect(at('hour')).toEqual(['2026-11-28T10:00:00.000Z', '2026-11-28T11:00:00.000Z']);
    expect(at('day')).toEqual(['2026-11-28T00:00:00.000Z', '2026-11-29T00:00:00.000Z']);
    expect(at('month')).toEqual(['2026-11-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z']);
    expect(at('all-time')).toBeUndefined();
  });

  it('refreshes every window incrementally from its counting table, but last-hour from its ledger', () => {
    expect(WINDOWS.filter(isGrowing)).toEqual(['hour', 'day', 'month', 'all-time']);
    expect(WINDOWS.map((w) => WINDOW_SPECS[w].refresh)).toEqual([
      { by: 'ledger' },
      { by: 'incremental', table: 'views_by_hour', period: 'hour' },
      { by: 'incremental', table: 'views_by_day', period: 'day' },
      { by: 'incremental', table: 'views_by_month', period: 'month' },
      { by: 'incremental', table: 'views_total' },
    ]);
  });
});
