import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppModule } from '../app.module';
import { DECLARED, sql } from './sql-query';
import { clickhouseDir } from './sql-files';

// Loading the application's modules loads every repository, and with them every declaration.
void AppModule;

/** The {name:Type} placeholders of a file, but {db}. */
function placeholders(name: string): Record<string, string> {
  const text = readFileSync(join(clickhouseDir(), 'queries', `${name}.sql`), 'utf8').replace(/--[^\n]*/g, '');
  const found: Record<string, string> = {};
  for (const [, param, type] of text.matchAll(/\{(\w+):([^{}]+)\}/g)) {
    if (param !== 'db') found[param] = type.replace(/\s+/g, ' ').trim();
  }
  return found;
}

describe('named SQL declarations', () => {
  const files = readdirSync(join(clickhouseDir(), 'queries'))
    .filter((f) => f.endsWith('.sql'))
    .map((f) => f.slice(0, -4))
    .sort();

  it('declare every file of clickhouse/queries once', () => {
    expect(DECLARED.map((d) => d.name).sort()).toEqual(files);
  });

  it.each(files)('%s: the declared parameters and types are those of the file', (name) => {
    const declared = DECLARED.find((d) => d.name === name);
    expect(declared?.params).toEqual(placeholders(name));
  });

  it('types the parameters from their ClickHouse types', () => {
    const q = sql('example', { k: 'UInt32', ids: 'Array(String)', at: "Nullable(DateTime64(3, 'UTC'))", since: 'Int64' });
    expect(DECLARED.pop()?.name).toBe('example');
    // A compile-time check above all: these values type-check against the declaration (a string k would not).
    const params: NonNullable<typeof q.paramsType> = { k: 1, ids: ['a'], at: null, since: -1 };
    expect(Object.keys(params).sort()).toEqual(Object.keys(q.params).sort());
  });
});
