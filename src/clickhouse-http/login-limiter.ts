// Wrong passwords per client address: past a few in a window, that address is refused until the window ends, so a
// password cannot be guessed at thousands a second. Fixed windows, kept for the addresses seen lately (LRU-bounded).
import { LRUCache } from 'lru-cache';

/** Wrong passwords one address may send in a window before it is refused. */
export const MAX_FAILED_LOGINS = 10;
/** The window's length. */
export const FAILED_LOGIN_WINDOW_MS = 60_000;
/** Addresses remembered at most (the oldest forgotten first). */
const ADDRESSES = 10_000;

interface Window {
  start: number;
  failures: number;
}

export class LoginLimiter {
  private readonly windows = new LRUCache<string, Window>({ max: ADDRESSES });

  constructor(private readonly now: () => number = Date.now) {}

  /** Milliseconds until `address` may try again, or 0 if it may now. */
  retryAfterMs(address: string): number {
    const window = this.current(address);
    return window && window.failures >= MAX_FAILED_LOGINS ? window.start + FAILED_LOGIN_WINDOW_MS - this.now() : 0;
  }

  failed(address: string): void {
    const window = this.current(address) ?? { start: this.now(), failures: 0 };
    window.failures++;
    this.windows.set(address, window);
  }

  private current(address: string): Window | undefined {
    const window = this.windows.get(address);
    return window && this.now() - window.start < FAILED_LOGIN_WINDOW_MS ? window : undefined;
  }
}
