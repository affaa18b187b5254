// ClickHouse's HTTP protocol, the parts viewrank serves over the embedded engine: what a request asks for, and how
// an answer and an error look. Pure functions; the server (clickhouse-http.server.ts) runs them.

/** URL parameters that are the protocol's own, not settings. */
const PROTOCOL_PARAMS = new Set([
  'query',
  'database',
  'default_format',
  'query_id',
  'user',
  'password',
  'compress',
  'decompress',
  'session_id',
  'session_timeout',
  'session_check',
]);

export interface SqlRequest {
  /** The `query` parameter, then the body (as ClickHouse joins them for POST). */
  query: string;
  /** The query without its FORMAT clause (given to the engine as the default format instead) and final semicolon. */
  statement: string;
  database?: string;
  /** The format of the answer: the query's FORMAT clause, else default_format, else TabSeparated. */
  format: string;
  /** Whether the format came from default_format or the default (then passed to the engine), or from the query. */
  formatInQuery: boolean;
  queryId?: string;
  /** A `session_id`, which this interface refuses: each request is its own session. */
  sessionId?: string;
  /** `param_<name>` parameters, by name. */
  params: Record<string, string>;
  /** Every other URL parameter: a setting. */
  settings: Record<string, string>;
  /** enable_http_compression=1 and the client accepts gzip. */
  gzip: boolean;
  /** compress=1: the answer in ClickHouse's own compressed blocks (compressed-blocks.ts). */
  compress: boolean;
}

export type Headers = Record<string, string | string[] | undefined>;

/** A request header's (first) value. */
function headerValue(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function parseRequest(url: Record<string, string>, body: string, headers: Headers = {}): SqlRequest {
  const header = (name: string) => headerValue(headers, name);
  const acceptEncoding = header('accept-encoding') ?? '';
  const query = [url.query, body].filter((part) => part !== undefined && part !== '').join('\n');
  const formatClause = /\bFORMAT\s+([A-Za-z][A-Za-z0-9]*)\s*;?\s*$/i.exec(query.trim());
  const inQuery = formatClause?.[1];
  const params: Record<string, string> = {};
  const settings: Record<string, string> = {};
  for (const [name, value] of Object.entries(url)) {
    if (name.startsWith('param_')) params[name.slice('param_'.length)] = value;
    else if (!PROTOCOL_PARAMS.has(name)) settings[name] = value;
  }
  return {
    query,
    statement: (formatClause ? query.trim().slice(0, formatClause.index) : query).trim().replace(/;$/, ''),
    database: url.database || header('x-clickhouse-database') || undefined,
    format: inQuery ?? (url.default_format || header('x-clickhouse-format') || 'TabSeparated'),
    formatInQuery: inQuery !== undefined,
    queryId: url.query_id || undefined,
    sessionId: url.session_id || undefined,
    params,
    settings,
    gzip: settings.enable_http_compression === '1' && /\bgzip\b/.test(acceptEncoding),
    compress: url.compress === '1',
  };
}

export interface Credentials {
  user: string;
  password: string;
}

/** The caller's user and password: X-ClickHouse-User/Key, Basic authorization, or the user/password parameters. */
export function credentials(headers: Headers, url: Record<string, string>): Credentials {
  const header = (name: string) => headerValue(headers, name);
  if (header('x-clickhouse-user') !== undefined) return { user: header('x-clickhouse-user')!, password: header('x-clickhouse-key') ?? '' };
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header('authorization') ?? '')?.[1];
  if (basic) {
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon < 0 ? { user: decoded, password: '' } : { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
  }
  return { user: url.user ?? 'default', password: url.password ?? '' };
}

/** The Content-Type ClickHouse sends for an output format. */
export function contentType(format: string): string {
  if (/^JSON/i.test(format)) return 'application/json; charset=UTF-8';
  if (/^(TabSeparated|TSV)/i.test(format)) return 'text/tab-separated-values; charset=UTF-8';
  if (/^CSV/i.test(format)) return 'text/csv; charset=UTF-8; header=absent';
  if (/^(Pretty|Vertical|Markdown|Values|XML|Template|LineAsString|RawBLOB)/i.test(format)) return 'text/plain; charset=UTF-8';
  return 'application/octet-stream';
}

/**
 * The HTTP status ClickHouse answers an exception code with (its HTTPHandler's mapping, for the codes an analyst
 * meets); any other code is a 500.
 */
export function statusOf(code: number): number {
  if (code === 516 || code === 194) return 401; // AUTHENTICATION_FAILED, REQUIRED_PASSWORD
  if (code === 164 || code === 497 || code === 291) return 403; // READONLY, ACCESS_DENIED, DATABASE_ACCESS_DENIED
  if ([60, 81, 46, 47, 16].includes(code)) return 404; // UNKNOWN_TABLE, UNKNOWN_DATABASE, UNKNOWN_FUNCTION, UNKNOWN_IDENTIFIER, NO_SUCH_COLUMN_IN_TABLE
  if ([62, 27, 6, 26, 53, 36, 42, 43, 115, 456, 457, 40, 271].includes(code)) return 400; // SYNTAX_ERROR, CANNOT_PARSE_*, TYPE_MISMATCH, BAD_ARGUMENTS, CHECKSUM_DOESNT_MATCH, CANNOT_DECOMPRESS, …
  if (code === 159) return 408; // TIMEOUT_EXCEEDED
  if (code === 48) return 501; // NOT_IMPLEMENTED
  return 500;
}

/** An exception as ClickHouse's body shows it: `Code: N. DB::Exception: …`. */
export function exceptionText(code: number, message: string): string {
  const text = message.startsWith('Code: ') ? message : `Code: ${code}. DB::Exception: ${message}`;
  return text.endsWith('\n') ? text : `${text}\n`;
}
