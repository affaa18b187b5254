// What an analyst may run through the ClickHouse HTTP interface, decided on ClickHouse's own parse of the query.
// The embedded engine runs in local mode: one user with every grant, no user_files_path check. So the interface asks
// the engine for the query's syntax tree (EXPLAIN AST) and allows only what a read-only user of a server would get
// from grants: reading statements, the viewrank database, harmless system tables, a few table functions and the
// functions that compute on their arguments. Anything else is refused before the query runs. Allow-lists throughout:
// a function, table, statement or table function nobody listed is refused.
//
// The tree is read line by line. A name with a line feed in it can add a line (EXPLAIN AST does not escape aliases),
// but never hide one: every real node still has its line. So each line is checked on its own, whatever its parent,
// and a tree whose "(children N)" counts do not add up is refused whole.

/** A refusal with ClickHouse's code for it. */
export interface Refusal {
  code: number;
  message: string;
}

export type Decision =
  | { allowed: true; kind: 'read' }
  /** `KILL QUERY WHERE query_id = '…'`: the interface cancels that query if it is the analyst's own. */
  | { allowed: true; kind: 'kill'; queryId: string }
  | ({ allowed: false } & Refusal);

/** One row of system.functions: what a name resolves to and the category that decides it. */
export interface FunctionInfo {
  name: string;
  category: string;
  caseInsensitive: boolean;
  aliasTo: string;
}

export interface PolicyContext {
  /** The analyst's database: every unqualified table is in it. */
  database: string;
  /** The engine's databases by name: `x.y` is a table reference only where `x` is one. */
  databases: ReadonlySet<string>;
  functions: FunctionCatalogue;
  user: string;
}

/** Statements that only read. SHOW and EXISTS read system tables; EXPLAIN runs nothing. */
const READING_STATEMENTS = new Set([
  'SelectWithUnionQuery',
  'Explain',
  'DescribeQuery',
  'ShowTables',
  'ShowColumns',
  'ShowCreateTableQuery',
  'ExistsTableQuery',
  // system.processes, as its row policy shows it: analysts' queries only.
  'ShowProcesslistQuery',
]);

/** System tables that describe the schema, the data's parts, the engine's abilities, or generate numbers. */
const SYSTEM_TABLES = new Set([
  'aggregate_function_combinators',
  'build_options',
  'collations',
  'columns',
  'data_skipping_indices',
  'data_type_families',
  'databases',
  'formats',
  'functions',
  'keywords',
  'merge_tree_settings',
  'merges',
  'mutations',
  'numbers',
  'numbers_mt',
  'one',
  'parts',
  'parts_columns',
  // Analysts' queries only: a row policy on the engine's one user (src/clickhouse/clickhouse.client.ts).
  'processes',
  'projection_parts',
  'settings',
  'table_engines',
  'table_functions',
  'tables',
  'time_zones',
  'zeros',
  'zeros_mt',
]);

/** Views over system tables for SQL tools (DBeaver, JDBC metadata). */
const INFORMATION_SCHEMA = new Set(['information_schema', 'INFORMATION_SCHEMA']);

/** Table functions that generate rows from their arguments alone. */
const TABLE_FUNCTIONS = new Set(['numbers', 'numbers_mt', 'zeros', 'zeros_mt', 'generate_series', 'generateSeries', 'values']);

/** Categories of system.functions that compute on their arguments only. */
const FUNCTION_CATEGORIES = new Set([
  'Aggregate Functions',
  'Arithmetic',
  'Arrays',
  'Bit',
  'Bitmap',
  'Comparison',
  'Conditional',
  'Dates and Times',
  'Distance',
  'Encoding',
  'Encryption',
  'Financial',
  'Geo',
  'Geo Polygon',
  'Hash',
  'IP Address',
  'JSON',
  'Logical',
  'Map',
  'Mathematical',
  'Null',
  'NumericIndexedVector',
  'QBit',
  'Random Number',
  'Rounding',
  'String',
  'String Replacement',
  'String Search',
  'String Splitting',
  'Time Series',
  'Time Window',
  'Tuple',
  'Type Conversion',
  'URL',
  'UUID',
]);

/**
 * From the category "Other", which also holds file(), getSetting(), hostName(), sleep(), joinGet() and the like: the
 * functions that only format, inspect types or compute over the rows they are given.
 */
const OTHER_FUNCTIONS = new Set([
  'bar',
  'blockNumber',
  'blockSize',
  'byteSize',
  'colorOKLABToSRGB',
  'colorOKLCHToSRGB',
  'colorSRGBToOKLAB',
  'colorSRGBToOKLCH',
  'countDigits',
  'currentDatabase',
  'defaultValueOfArgumentType',
  'defaultValueOfTypeName',
  'dumpColumnStructure',
  'errorCodeToName',
  'finalizeAggregation',
  'flipCoordinates',
  'formatQuery',
  'formatQueryOrNull',
  'formatQuerySingleLine',
  'formatQuerySingleLineOrNull',
  'formatReadableDecimalSize',
  'formatReadableQuantity',
  'formatReadableSize',
  'formatReadableTimeDelta',
  'getSizeOfEnumType',
  'getSubcolumn',
  'identity',
  'ignore',
  'indexHint',
  'initializeAggregation',
  'isConstant',
  'isDecimalOverflow',
  'lowCardinalityIndices',
  'lowCardinalityKeys',
  'MACNumToString',
  'MACStringToNum',
  'MACStringToOUI',
  'materialize',
  'minSampleSizeContinuous',
  'minSampleSizeConversion',
  'neighbor',
  'normalizeQuery',
  'normalizeQueryKeepNames',
  'normalizedQueryHash',
  'normalizedQueryHashKeepNames',
  'parseReadableSize',
  'parseReadableSizeOrNull',
  'parseReadableSizeOrZero',
  'parseTimeDelta',
  'rowNumberInAllBlocks',
  'rowNumberInBlock',
  'runningAccumulate',
  'runningDifference',
  'runningDifferenceStartingWithFirstValue',
  'toColumnTypeName',
  'toTypeName',
  'transform',
  'variantElement',
  'variantType',
  'version',
  'visibleWidth',
]);

/** Nodes the parser writes as functions that system.functions does not list: lambdas, and a bound parameter's cast. */
const SYNTAX_FUNCTIONS = new Set(['lambda', '_CAST']);

/** Aggregate function combinators (system.aggregate_function_combinators), longest first so that MergeState wins over State. */
const COMBINATORS = [
  'SimpleState',
  'MergeState',
  'OrDefault',
  'Distinct',
  'Resample',
  'ForEach',
  'ArgMin',
  'ArgMax',
  'OrNull',
  'Array',
  'State',
  'Merge',
  'Null',
  'Map',
  'If',
];

/** system.functions, looked up as the engine resolves a name: exactly, else case-insensitively where it allows. */
export class FunctionCatalogue {
  private readonly exact = new Map<string, FunctionInfo>();
  private readonly folded = new Map<string, FunctionInfo>();

  constructor(rows: readonly FunctionInfo[]) {
    for (const row of rows) {
      this.exact.set(row.name, row);
      if (row.caseInsensitive) this.folded.set(row.name.toLowerCase(), row);
    }
  }

  /** Whether `name` is a function an analyst may call. */
  allows(name: string): boolean {
    if (SYNTAX_FUNCTIONS.has(name) || TABLE_FUNCTIONS.has(name)) return true;
    const info = this.resolve(name);
    if (info) return FUNCTION_CATEGORIES.has(info.category) || (info.category === 'Other' && OTHER_FUNCTIONS.has(info.name));
    // countIf, sumMerge, uniqExactArrayIf…: an aggregate function with combinators.
    for (const combinator of COMBINATORS) {
      if (name.length > combinator.length && name.endsWith(combinator)) {
        const base = this.resolve(name.slice(0, -combinator.length));
        if (base?.category === 'Aggregate Functions' || (!base && this.allows(name.slice(0, -combinator.length)))) return true;
      }
    }
    return false;
  }

  private resolve(name: string): FunctionInfo | undefined {
    const found = this.exact.get(name) ?? this.folded.get(name.toLowerCase());
    if (found?.aliasTo) return this.exact.get(found.aliasTo) ?? this.folded.get(found.aliasTo.toLowerCase());
    return found;
  }
}

interface AstLine {
  depth: number;
  label: string;
  children: number;
}

/** EXPLAIN AST's lines, or undefined where their "(children N)" counts do not make one tree. */
export function astLines(explain: string): AstLine[] | undefined {
  const lines: AstLine[] = [];
  for (const raw of explain.split('\n')) {
    if (raw === '') continue;
    const depth = raw.length - raw.trimStart().length;
    const text = raw.slice(depth);
    const count = /^(.*?) \(children (\d+)\)$/.exec(text);
    lines.push({ depth, label: count ? count[1] : text, children: count ? Number(count[2]) : 0 });
  }
  // Each node's children are the lines one deeper that follow it up to the next line at its depth or above.
  const open: { depth: number; expected: number; seen: number }[] = [];
  for (const [i, line] of lines.entries()) {
    if (i === 0 ? line.depth !== 0 : line.depth > lines[i - 1].depth + 1) return undefined;
    if (i > 0 && line.depth === 0) return undefined;
    while (open.length > 0 && open[open.length - 1].depth >= line.depth) {
      const done = open.pop()!;
      if (done.seen !== done.expected) return undefined;
    }
    if (open.length > 0) open[open.length - 1].seen++;
    open.push({ depth: line.depth, expected: line.children, seen: 0 });
  }
  for (const done of open) if (done.seen !== done.expected) return undefined;
  return lines.length > 0 ? lines : undefined;
}

const READONLY = 164;
const ACCESS_DENIED = 497;
const UNKNOWN_FUNCTION = 46;
const CODE_NAMES: Record<number, string> = {
  [READONLY]: 'READONLY',
  [ACCESS_DENIED]: 'ACCESS_DENIED',
  [UNKNOWN_FUNCTION]: 'UNKNOWN_FUNCTION',
};

/** The decision on one query, from its EXPLAIN AST (run on the query as it will run). */
export function decide(explain: string, context: PolicyContext): Decision {
  const lines = astLines(explain);
  // With ClickHouse's name of the code last, as clients (@clickhouse/client) parse it.
  const deny = (code: number, message: string): Decision => ({ allowed: false, code, message: `${message} (${CODE_NAMES[code]})` });
  if (!lines) {
    return deny(
      ACCESS_DENIED,
      `${context.user}: the query's syntax tree could not be read whole (a line feed in a name?), so it is not run.`,
    );
  }
  const statement = lines[0].label.split(' ')[0];
  if (statement === 'KillQueryQuery') return killDecision(lines, context);
  if (!READING_STATEMENTS.has(statement)) {
    return deny(
      READONLY,
      `${context.user}: Cannot execute query in readonly mode: only SELECT, SHOW, DESCRIBE, EXISTS and EXPLAIN are open to analysts.`,
    );
  }
  for (const [i, line] of lines.entries()) {
    const [node, ...rest] = line.label.split(' ');
    // The node's name: what follows its type, less an alias (which may hold anything, spaces included).
    const name = /^\S+ (.*?)(?: \(alias .*\))?$/.exec(line.label)?.[1] ?? '';
    // A query's own SETTINGS, and SET: settings are the interface's to give.
    if (node === 'Set') return deny(READONLY, `${context.user}: Cannot modify settings in readonly mode.`);
    // Directly under a SELECT's root only its list of selects may stand: INTO OUTFILE (a file written by the engine
    // process) and a FORMAT clause left in the text are not run.
    if (line.depth === 1 && statement === 'SelectWithUnionQuery' && node !== 'ExpressionList') {
      return deny(ACCESS_DENIED, `${context.user}: INTO OUTFILE is not open to analysts, and FORMAT must end the query.`);
    }
    if (node === 'Function' && !context.functions.allows(name)) {
      return deny(
        UNKNOWN_FUNCTION,
        `${context.user}: function ${name} is not open to analysts (it reads files, settings or the server, or is unknown).`,
      );
    }
    const table = node === 'TableIdentifier' ? name : node === 'Identifier' ? tableNamed(name, context) : undefined;
    if (table !== undefined) {
      const refusal = tableRefusal(table, context);
      if (refusal) return deny(refusal.code, refusal.message);
    }
    if (i === 0 && (statement === 'ShowCreateTableQuery' || statement === 'ExistsTableQuery') && rest.length >= 2) {
      const refusal = tableRefusal(`${rest[0]}.${rest[1]}`, context);
      if (refusal) return deny(refusal.code, refusal.message);
    }
  }
  return { allowed: true, kind: 'read' };
}

/**
 * An `Identifier a.b` names the table a.b where `a` is a database (`x IN system.processes`, or a column written in
 * full, `system.tables.name`); else it is a column of a table alias.
 */
function tableNamed(name: string, context: PolicyContext): string | undefined {
  const parts = name.split('.');
  return parts.length >= 2 && context.databases.has(parts[0]) ? `${parts[0]}.${parts[1]}` : undefined;
}

function tableRefusal(table: string, context: PolicyContext): Refusal | undefined {
  const parts = table.split('.');
  if (parts.length === 1) return undefined; // in the analyst's database (or a WITH name)
  const [database, name] = parts;
  if (parts.length === 2 && database === context.database) return undefined;
  if (parts.length === 2 && INFORMATION_SCHEMA.has(database)) return undefined;
  if (parts.length === 2 && database === 'system' && SYSTEM_TABLES.has(name)) return undefined;
  return {
    code: ACCESS_DENIED,
    message: `${context.user}: Not enough privileges. To execute this query, it's necessary to have the grant SELECT ON ${table}.`,
  };
}

/** Only `KILL QUERY WHERE query_id = '<id>'`: the interface cancels that query if the analyst started it. */
function killDecision(lines: AstLine[], context: PolicyContext): Decision {
  const labels = lines.map((l) => `${' '.repeat(l.depth)}${l.label}`);
  const shape = /^KillQueryQuery Function_equals( SYNC| ASYNC| TEST)?$/;
  const id = /^ {3}Literal (\\?)'([A-Za-z0-9_.:-]{1,128})\1'$/.exec(labels[4] ?? '');
  if (
    lines.length === 5 &&
    shape.test(labels[0]) &&
    labels[1] === ' Function equals' &&
    labels[2] === '  ExpressionList' &&
    labels[3] === '   Identifier query_id' &&
    id
  ) {
    return { allowed: true, kind: 'kill', queryId: id[2] };
  }
  return {
    allowed: false,
    code: ACCESS_DENIED,
    message: `${context.user}: Not enough privileges: analysts may cancel only their own queries, as KILL QUERY WHERE query_id = '<their query_id>'. (ACCESS_DENIED)`,
  };
}
