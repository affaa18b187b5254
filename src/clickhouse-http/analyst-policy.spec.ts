import { astLines, decide, FunctionCatalogue, PolicyContext } from './analyst-policy';

// EXPLAIN AST as ClickHouse 26.7 prints it (checked against the embedded engine).
const tree = (...lines: string[]) => `${lines.join('\n')}\n`;
const select = (...expressions: string[]) =>
  tree(
    'SelectWithUnionQuery (children 1)',
    ' ExpressionList (children 1)',
    '  SelectQuery (children 1)',
    `   ExpressionList (children ${expressions.filter((e) => !e.startsWith(' ')).length})`,
    ...expressions.map((e) => `    ${e}`),
  );
const from = (table: string) =>
  tree(
    'SelectWithUnionQuery (children 1)',
    ' ExpressionList (children 1)',
    '  SelectQuery (children 2)',
    '   ExpressionList (children 1)',
    '    Asterisk',
    '   TablesInSelectQuery (children 1)',
    '    TablesInSelectQueryElement (children 1)',
    '     TableExpression (children 1)',
    `      ${table}`,
  );

const functions = new FunctionCatalogue([
  { name: 'plus', category: 'Arithmetic', caseInsensitive: false, aliasTo: '' },
  { name: 'count', category: 'Aggregate Functions', caseInsensitive: true, aliasTo: '' },
  { name: 'sum', category: 'Aggregate Functions', caseInsensitive: true, aliasTo: '' },
  { name: 'file', category: 'Other', caseInsensitive: false, aliasTo: '' },
  { name: 'getSetting', category: 'Other', caseInsensitive: false, aliasTo: '' },
  { name: 'toTypeName', category: 'Other', caseInsensitive: false, aliasTo: '' },
  { name: 'addressToSymbol', category: 'Introspection', caseInsensitive: false, aliasTo: '' },
  { name: 'in', category: 'Comparison', caseInsensitive: false, aliasTo: '' },
  { name: 'substring', category: 'String', caseInsensitive: true, aliasTo: '' },
  { name: 'SUBSTR', category: '', caseInsensitive: true, aliasTo: 'substring' },
]);
const sut = (explain: string) =>
  decide(explain, {
    database: 'viewrank',
    databases: new Set(['viewrank', 'system', 'default']),
    functions,
    user: 'analyst',
  } as PolicyContext);

describe(astLines.name, () => {
  it('reads a tree whose child counts add up', () => {
    expect(astLines(select('Literal UInt64_1'))?.map((l) => l.depth)).toEqual([0, 1, 2, 3, 4]);
  });

  it('refuses lines a name with a line feed added', () => {
    // SELECT 1 AS `a\n  TableIdentifier x`: the alias's second line breaks the counts.
    expect(astLines(select('Literal UInt64_1 (alias a', '  TableIdentifier x)'))).toBeUndefined();
    expect(astLines('')).toBeUndefined();
    expect(astLines('{"data":[{"explain":"SelectWithUnionQuery"}]}\n')).toEqual([{ depth: 0, label: expect.any(String), children: 0 }]);
  });
});

describe(decide.name, () => {
  it('allows reading the viewrank database, harmless system tables and functions that compute', () => {
    expect(sut(from('TableIdentifier views_total'))).toEqual({ allowed: true, kind: 'read' });
    expect(sut(from('TableIdentifier viewrank.views_by_hour (alias h)'))).toEqual({ allowed: true, kind: 'read' });
    expect(sut(from('TableIdentifier system.tables'))).toEqual({ allowed: true, kind: 'read' });
    expect(sut(from('TableIdentifier INFORMATION_SCHEMA.COLUMNS'))).toEqual({ allowed: true, kind: 'read' });
    expect(
      sut(select('Function count', 'Function countIf', 'Function sumMerge', 'Function SUBSTR', 'Function COUNT', 'Function toTypeName')),
    ).toEqual({
      allowed: true,
      kind: 'read',
    });
  });

  it('refuses the functions that reach files, settings or the process, and unknown ones', () => {
    for (const name of ['file', 'getSetting', 'addressToSymbol', 'url', 'nosuch', 'fileIf']) {
      expect(sut(select(`Function ${name} (alias f)`))).toMatchObject({ allowed: false, code: 46 });
    }
  });

  it('refuses table functions outside the generators, other databases and system tables outside the list', () => {
    expect(sut(from('Function numbers (children 1)').replace('numbers (children 1)', 'numbers'))).toMatchObject({ allowed: true });
    expect(sut(from('Function file'))).toMatchObject({ allowed: false, code: 46 });
    expect(sut(from('Function s3'))).toMatchObject({ allowed: false, code: 46 });
    expect(sut(from('TableIdentifier default.secrets'))).toMatchObject({
      allowed: false,
      code: 497,
      message: expect.stringMatching(/\(ACCESS_DENIED\)$/),
    });
    expect(sut(from('TableIdentifier system.query_log'))).toMatchObject({ allowed: false, code: 497 });
    // Its row policy shows analysts their own queries only.
    expect(sut(from('TableIdentifier system.processes'))).toEqual({ allowed: true, kind: 'read' });
    expect(sut(from('TableIdentifier system.users'))).toMatchObject({ allowed: false, code: 497 });
    expect(sut(from('TableIdentifier a.b.c'))).toMatchObject({ allowed: false, code: 497 });
    // 1 IN system.query_log: an identifier that names a database's table is a table.
    expect(
      sut(select('Function in (children 1)', ' ExpressionList (children 2)', '  Literal UInt64_1', '  Identifier system.query_log')),
    ).toMatchObject({
      allowed: false,
      code: 497,
      message: expect.stringContaining('system.query_log'),
    });
    // h.views: a column of the alias h, not a table.
    expect(sut(select('Identifier h.views'))).toEqual({ allowed: true, kind: 'read' });
  });

  it('refuses statements that write, set, or are not reads, and INTO OUTFILE', () => {
    expect(sut(tree('InsertQuery (children 1)', ' Identifier t'))).toMatchObject({ allowed: false, code: 164 });
    expect(sut(tree('Set'))).toMatchObject({ allowed: false, code: 164 });
    expect(sut(tree('SYSTEM query'))).toMatchObject({ allowed: false, code: 164 });
    expect(sut(tree('ShowProcesslistQuery'))).toEqual({ allowed: true, kind: 'read' });
    expect(sut(`${select('Literal UInt64_1').replace('(children 1)', '(children 2)')} Literal \\'/tmp/x\\'\n`)).toMatchObject({
      allowed: false,
      code: 497,
    });
  });

  it("takes KILL QUERY only as WHERE query_id = '…'", () => {
    const kill = (id: string, how = ' SYNC') =>
      tree(
        `KillQueryQuery Function_equals${how} (children 1)`,
        ' Function equals (children 1)',
        '  ExpressionList (children 2)',
        '   Identifier query_id',
        `   Literal \\'${id}\\'`,
      );
    expect(sut(kill('my-query'))).toEqual({ allowed: true, kind: 'kill', queryId: 'my-query' });
    expect(sut(kill('abc', ''))).toEqual({ allowed: true, kind: 'kill', queryId: 'abc' });
    expect(sut(kill('abc').replace("\\'abc\\'", "'abc'"))).toEqual({ allowed: true, kind: 'kill', queryId: 'abc' });
    expect(sut(kill('a b'))).toMatchObject({ allowed: false, code: 497 });
    expect(sut(tree('KillQueryQuery Literal_1 SYNC (children 1)', ' Literal UInt64_1'))).toMatchObject({ allowed: false, code: 497 });
  });
});

describe('columns written in full', () => {
  it('checks the table of system.tables.database, and allows it', () => {
    expect(sut(select('Identifier system.tables.database'))).toEqual({ allowed: true, kind: 'read' });
    expect(sut(select('Identifier system.query_log.query'))).toMatchObject({ allowed: false, code: 497 });
  });
});
