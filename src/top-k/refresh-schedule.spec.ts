import { nextRefreshDelay } from './refresh-schedule';

describe('nextRefreshDelay', () => {
  it('starts the next refresh one period after this one started', () => {
    expect(nextRefreshDelay(1000, 0)).toBe(1000);
    expect(nextRefreshDelay(1000, 350)).toBe(650);
    expect(nextRefreshDelay(1000, 899.6)).toBe(100);
  });

  it('pauses a tenth of the period after a refresh that overran it', () => {
    expect(nextRefreshDelay(1000, 950)).toBe(100);
    expect(nextRefreshDelay(1000, 1000)).toBe(100);
    expect(nextRefreshDelay(1000, 4200)).toBe(100);
    expect(nextRefreshDelay(5000, 7000)).toBe(500);
  });
});
