// The benchmarks' own SQL lives in bench/sql/, out of the production folder clickhouse/: statements only benchmarks run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { splitStatements } from '../../src/clickhouse/sql-statements';

/** The statements of bench/sql/<name>.sql, in order. */
export function benchStatements(name: string): string[] {
  return splitStatements(readFileSync(join(__dirname, '..', 'sql', `${name}.sql`), 'utf8'));
}

/** The one statement of bench/sql/<name>.sql. */
export function benchStatement(name: string): string {
  const statements = benchStatements(name);
  if (statements.length !== 1) throw new Error(`bench/sql/${name}.sql holds ${statements.length} statements, not one`);
  return statements[0];
}
