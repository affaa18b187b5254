import { migrationFiles } from './sql-files';
import { splitStatements } from './sql-statements';

describe(splitStatements.name, () => {
  it('splits at semicolons outside quotes and comments and drops comment-only parts', () => {
    const sql = [
      '-- a comment; with a semicolon',
      "CREATE TABLE t (a String DEFAULT ';') ENGINE = Memory;",
      '/* block; comment */',
      "SELECT `odd;name` FROM t WHERE a = 'it\\'s;';",
      '-- trailing comment only',
    ].join('\n');
    expect(splitStatements(sql)).toEqual([
      "-- a comment; with a semicolon\nCREATE TABLE t (a String DEFAULT ';') ENGINE = Memory",
      "/* block; comment */\nSELECT `odd;name` FROM t WHERE a = 'it\\'s;'",
    ]);
  });

  it('keeps a last statement without a semicolon', () => {
    expect(splitStatements('SELECT 1;\nSELECT 2')).toEqual(['SELECT 1', 'SELECT 2']);
  });
});

describe(migrationFiles.name, () => {
  it('reads the repository migrations in version order, each with statements', () => {
    const files = migrationFiles();
    expect(files.map((f) => f.version)).toEqual([...files.map((f) => f.version)].sort((a, b) => a - b));
    expect(new Set(files.map((f) => f.version)).size).toBe(files.length);
    for (const file of files) expect(splitStatements(file.text).length).toBeGreaterThan(0);
  });

  it('binds every value: no migration splices text with ${} or string formatting', () => {
    for (const file of migrationFiles()) expect(file.text).not.toMatch(/\$\{|%s|\{\{/);
  });
});
