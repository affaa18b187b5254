// The configuration table (docs/configuration.md, linked from the README) lists every setting, with its default.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvironmentVariables, SETTING_NAMES } from '../src/config/app-config';

const [section, former] = readFileSync(join(__dirname, '../docs/configuration.md'), 'utf8').split('## Settings that became constants');
/** Each row: its variable names and its default cell, e.g. [['PORT', 'HOST'], '`3000`, `127.0.0.1`']. */
const rows = section
  .split('\n')
  .filter((line) => line.startsWith('| `'))
  .map((line) => {
    const [names, defaults] = line.split('|').slice(1, 3);
    return { names: [...names.matchAll(/`([A-Z0-9_]+)`/g)].map((m) => m[1]), defaults: defaults.trim() };
  });

describe('the configuration table (docs/configuration.md)', () => {
  it('lists every setting exactly once, and nothing else', () => {
    const listed = rows.flatMap((r) => r.names);
    expect([...listed].sort()).toEqual([...SETTING_NAMES].sort());
  });

  it("gives each setting the schema's default", () => {
    const defaults = new EnvironmentVariables() as unknown as Record<string, unknown>;
    for (const row of rows) {
      const cells = [...row.defaults.matchAll(/`([^`]*)`/g)].map((m) => m[1]);
      row.names.forEach((name, i) => {
        const value = defaults[name];
        if (value === undefined) return; // optional settings: "unset" or derived from another
        // An empty default is written "empty" in the table, not as a code cell.
        const shown = value === '' ? (/\bempty\b/.test(row.defaults) ? '' : cells[i]) : cells[i];
        expect({ name, default: shown }).toEqual({ name, default: String(value) });
      });
    }
  });

  it('lists settings that became constants, none of them a setting any more', () => {
    const was = former
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .flatMap((line) => [...line.split('|')[1].matchAll(/`([A-Z0-9_]+)`/g)].map((m) => m[1]));
    expect(was.length).toBeGreaterThanOrEqual(9);
    expect(was.filter((name) => SETTING_NAMES.includes(name))).toEqual([]);
  });
});
