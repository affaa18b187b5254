// The benchmarks' own SQL lives in clickhouse/bench/, beside the service's, so every statement is in one place.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clickhouseDir } from '../../src/clickhouse/sql-files';
import { splitStatements } from '../../src/clickhouse/sql-statements';

/** The statements of clickhouse/bench/<name>.sql, in order. */
export function benchStatements(name: string): string[] {
  return splitStatements(readFileSync(join(clickhouseDir(), 'bench', `${name}.sql`), 'utf8'));
}

/** The one statement of clickhouse/bench/<name>.sql. */
export function benchStatement(name: string): string {
  const statements = benchStatements(name);
  if (statements.length !== 1) throw new Error(`clickhouse/bench/${name}.sql holds ${statements.length} statements, not one`);
  return statements[0];
}
