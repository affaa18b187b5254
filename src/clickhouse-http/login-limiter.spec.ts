import { FAILED_LOGIN_WINDOW_MS, LoginLimiter, MAX_FAILED_LOGINS } from './login-limiter';

describe(LoginLimiter.name, () => {
  it('refuses an address after too many wrong passwords, until its window ends; others are not affected', () => {
    let now = 1_000_000;
    const sut = new LoginLimiter(() => now);
    for (let i = 0; i < MAX_FAILED_LOGINS; i++) {
      expect(sut.retryAfterMs('10.0.0.1')).toBe(0);
      sut.failed('10.0.0.1');
      now += 100;
    }
    expect(sut.retryAfterMs('10.0.0.1')).toBe(FAILED_LOGIN_WINDOW_MS - MAX_FAILED_LOGINS * 100);
    expect(sut.retryAfterMs('10.0.0.2')).toBe(0);
    now = 1_000_000 + FAILED_LOGIN_WINDOW_MS;
    expect(sut.retryAfterMs('10.0.0.1')).toBe(0);
    sut.failed('10.0.0.1');
    expect(sut.retryAfterMs('10.0.0.1')).toBe(0);
  });
});
