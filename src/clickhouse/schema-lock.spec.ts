import { isStale, lockHolder, withSchemaLock } from './schema-lock';
import { SqlRunner } from './sql-runner';

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

describe(withSchemaLock.name, () => {
  it('tries again when the lock is released between its failed CREATE and the read of the holder', async () => {
    // As a ClickHouse server answers over HTTP: the code and its name on the error, not in the message.
    const clickhouseError = (message: string, code: string, type: string) => Object.assign(new Error(message), { code, type });
    const creates = [clickhouseError('Table db.schema_lock already exists.', '57', 'TABLE_ALREADY_EXISTS'), undefined];
    const calls: string[] = [];
    const db: SqlRunner = {
      command: async (query) => {
        const statement = query
          .split('\n')
          .filter((line) => !line.trim().startsWith('--'))
          .join(' ')
          .trim();
        calls.push(statement.split(/\s+/).slice(0, 2).join(' '));
        if (statement.startsWith('CREATE')) {
          const error = creates.shift();
          if (error) throw error;
        }
      },
      select: async () => {
        calls.push('SELECT state');
        throw clickhouseError("Unknown table expression identifier 'db.schema_lock' in scope SELECT …", '60', 'UNKNOWN_TABLE');
      },
    };
    await expect(withSchemaLock(db, 'db', async () => 'migrated', { pollMs: 1 })).resolves.toBe('migrated');
    expect(calls).toEqual(['CREATE TABLE', 'SELECT state', 'CREATE TABLE', 'INSERT INTO', 'DROP TABLE']);
  });
});
