import { isStale, lockHolder } from './schema-lock';

describe(isStale.name, () => {
  it('breaks a lock only once its newest heartbeat, or its creation without one, is older than the lease', () => {
    expect(isStale(10_000, 0, 70_000, 60_000)).toBe(false);
    expect(isStale(10_000, 0, 70_001, 60_000)).toBe(true);
    // A holder that died between taking the lock and its first heartbeat: judged by the table's creation.
    expect(isStale(undefined, 5_000, 60_000, 60_000)).toBe(false);
    expect(isStale(undefined, 5_000, 65_001, 60_000)).toBe(true);
    // Server time behind a heartbeat (clock moved back): never stale.
    expect(isStale(90_000, 0, 80_000, 60_000)).toBe(false);
  });
});

describe(lockHolder.name, () => {
  it('names the host and process, and differs between calls', () => {
    expect(lockHolder()).toMatch(new RegExp(`:${process.pid}:[0-9a-f]{8}$`));
    expect(lockHolder()).not.toBe(lockHolder());
  });
});
