import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

// Server mode must not load chDB: a platform without a chDB build fails at load, and the engine is 566 MB. Checked in
// a fresh Node process, whose module cache shows what was loaded.
describe('openClickHouse', () => {
  const loadsChdb = (url: string | undefined): boolean => {
    const script = `
      const { openClickHouse } = require(${JSON.stringify(join(__dirname, 'clickhouse.client'))});
      const handle = openClickHouse(
        { url: ${JSON.stringify(url)}, user: 'default', password: '', database: 'x', chdbPath: ${JSON.stringify(join(__dirname, '../../.cache/chdb-load-check'))} },
        { hosts: [{ host: '127.0.0.1', port: 2181 }], sessionTimeoutMs: 6000 },
      );
      const loaded = Object.keys(require.cache).some((file) => /[\\\\/]node_modules[\\\\/]chdb[\\\\/]/.test(file));
      handle.close().then(() => { console.log(loaded); process.exit(0); });`;
    const run = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    if (run.status !== 0) throw new Error(run.stderr);
    return run.stdout.trim().split('\n').at(-1) === 'true';
  };

  it('loads chDB in embedded mode only', () => {
    expect(loadsChdb('http://127.0.0.1:1')).toBe(false);
    expect(loadsChdb(undefined)).toBe(true);
  });
});
