import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

// Server mode must not load chDB: a platform without a chDB build fails at load, and the engine is 566 MB. Checked in
// a fresh Node process, whose module cache shows what was loaded.
describe('openClickHouse', () => {
  const loadsChdb = (url: string | undefined): boolean => {
    const script = `
      const { openClickHouse } = require(${JSON.stringify(join(__dirname, 'clickhouse.client'))});
      const handle = openClickHouse(
        { url: ${JSON.stringify(url)}, user: 'default', password: '', database: 'x', engineLogLevel: 'warning', chdbPath: ${JSON.stringify(join(__dirname, '../../.cache/chdb-load-check'))} },
        { hosts: [{ host: '127.0.0.1', port: 2181 }] },
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

  it('says to set CLICKHOUSE_URL where the embedded engine is missing (the server image, another platform)', () => {
    // The server image has no @chdb/* package: resolving it fails, as it does here once hidden.
    const script = `
      const Module = require('node:module');
      const resolve = Module._resolveFilename;
      Module._resolveFilename = function (request, ...rest) {
        if (request.startsWith('@chdb/')) throw Object.assign(new Error("Cannot find module '" + request + "'"), { code: 'MODULE_NOT_FOUND' });
        return resolve.call(this, request, ...rest);
      };
      const { openClickHouse } = require(${JSON.stringify(join(__dirname, 'clickhouse.client'))});
      try {
        openClickHouse(
          { url: undefined, user: 'default', password: '', database: 'x', engineLogLevel: 'warning', chdbPath: ${JSON.stringify(join(__dirname, '../../.cache/chdb-load-check'))} },
          { hosts: [{ host: '127.0.0.1', port: 2181 }] },
        );
        console.log('opened');
      } catch (error) {
        console.log(error.message);
      }`;
    const run = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(run.stdout).toMatch(
      /^embedded ClickHouse \(chDB\) cannot load here \(.+\): .*Set CLICKHOUSE_URL to use a ClickHouse server\.$/m,
    );
  });
});
