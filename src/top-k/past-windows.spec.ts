import { expiresAt, pastWindowRequest, PastWindowRules, validRange } from './past-windows';

const RULES: PastWindowRules = { hourDays: 35, monthMonths: 13, lateToleranceMs: 30_000 };
const at = (iso: string) => new Date(iso);

describe('validRange', () => {
  it('hour and day: from the first window whose rows outlive now, to now', () => {
    const now = at('2026-12-03T10:20:00Z');
    // Rows of hour H expire at H + 35 days: 2026-10-29T10:00 expired at 2026-12-03T10:00, 11:00 has not.
    expect(validRange('hour', now, RULES)).toEqual({ earliest: at('2026-10-29T11:00:00Z'), latest: now });
    // Day 2026-10-29 expired at 2026-12-03T00:00; the 30th is kept until 2026-12-04.
    expect(validRange('day', now, RULES).earliest).toEqual(at('2026-10-30T00:00:00Z'));
  });

  it('hour: at the very instant a window expires, the next one is the oldest', () => {
    expect(validRange('hour', at('2026-12-03T10:00:00Z'), RULES).earliest).toEqual(at('2026-10-29T11:00:00Z'));
    expect(validRange('hour', at('2026-12-03T09:59:59.999Z'), RULES).earliest).toEqual(at('2026-10-29T10:00:00Z'));
  });

  it('month: the current month and the twelve before it, across a year boundary', () => {
    expect(validRange('month', at('2026-12-03T10:20:00Z'), RULES).earliest).toEqual(at('2025-12-01T00:00:00Z'));
    expect(validRange('month', at('2026-01-31T23:59:59Z'), RULES).earliest).toEqual(at('2025-01-01T00:00:00Z'));
    expect(validRange('month', at('2026-03-31T12:00:00Z'), { ...RULES, monthMonths: 1 }).earliest).toEqual(at('2026-03-01T00:00:00Z'));
  });

  it('expiresAt follows each table TTL', () => {
    expect(expiresAt('day', at('2026-11-01T00:00:00Z'), RULES)).toEqual(at('2026-12-06T00:00:00Z'));
    expect(expiresAt('month', at('2025-12-01T00:00:00Z'), RULES)).toEqual(at('2027-01-01T00:00:00Z'));
  });
});

describe('pastWindowRequest', () => {
  const now = at('2026-12-03T10:20:00Z');

  it('an instant of the current window asks for the current list', () => {
    expect(pastWindowRequest('hour', at('2026-12-03T10:00:00Z'), now, RULES)).toEqual({ kind: 'current' });
    expect(pastWindowRequest('day', now, now, RULES)).toEqual({ kind: 'current' });
    expect(pastWindowRequest('month', at('2026-12-01T00:00:00Z'), now, RULES)).toEqual({ kind: 'current' });
  });

  it('a past instant asks for its whole window, final from its end plus the tolerance', () => {
    expect(pastWindowRequest('hour', at('2026-12-03T09:59:59.999Z'), now, RULES)).toEqual({
      kind: 'past',
      interval: { start: at('2026-12-03T09:00:00Z'), end: at('2026-12-03T10:00:00Z') },
      finalFrom: at('2026-12-03T10:00:30Z'),
    });
    expect(pastWindowRequest('day', at('2026-12-02T14:00:00Z'), now, RULES)).toMatchObject({
      interval: { start: at('2026-12-02T00:00:00Z'), end: at('2026-12-03T00:00:00Z') },
    });
    expect(pastWindowRequest('month', at('2026-02-28T23:00:00Z'), now, RULES)).toMatchObject({
      interval: { start: at('2026-02-01T00:00:00Z'), end: at('2026-03-01T00:00:00Z') },
    });
  });

  it('the future and the expired are refused, naming at and the valid range', () => {
    const future = pastWindowRequest('hour', at('2026-12-03T10:20:00.001Z'), now, RULES);
    expect(future).toEqual({
      kind: 'invalid',
      reason:
        'at 2026-12-03T10:20:00.001Z is in the future: for window=hour it must be between 2026-10-29T11:00:00.000Z and 2026-12-03T10:20:00.000Z (now)',
    });
    const old = pastWindowRequest('month', at('2025-11-30T23:59:59Z'), now, RULES);
    expect(old).toMatchObject({ kind: 'invalid' });
    expect(old.kind === 'invalid' && old.reason).toMatch(
      /^at 2025-11-30T23:59:59.000Z is older than the month counts kept: .* between 2025-12-01T00:00:00.000Z/,
    );
    expect(pastWindowRequest('month', at('2025-12-01T00:00:00Z'), now, RULES).kind).toBe('past');
  });
});
