import { contentType, credentials, exceptionText, parseRequest, statusOf } from './protocol';

describe(parseRequest.name, () => {
  it('joins the query parameter and the body, and separates params, settings and the protocol', () => {
    const request = parseRequest(
      { query: 'SELECT {n:UInt8}', param_n: '5', database: 'viewrank', query_id: 'q1', max_threads: '2', user: 'analyst' },
      'AS five',
    );
    expect(request).toEqual({
      query: 'SELECT {n:UInt8}\nAS five',
      statement: 'SELECT {n:UInt8}\nAS five',
      sessionId: undefined,
      database: 'viewrank',
      format: 'TabSeparated',
      formatInQuery: false,
      queryId: 'q1',
      params: { n: '5' },
      settings: { max_threads: '2' },
      gzip: false,
      compress: false,
    });
  });

  it("takes the query's FORMAT over default_format, and default_format over TabSeparated", () => {
    expect(parseRequest({ query: 'SELECT 1 FORMAT JSONEachRow;', default_format: 'CSV' }, '')).toMatchObject({
      format: 'JSONEachRow',
      formatInQuery: true,
    });
    expect(parseRequest({ default_format: 'CSV' }, 'SELECT 1')).toMatchObject({ format: 'CSV', formatInQuery: false });
    expect(parseRequest({}, 'SELECT "FORMAT JSON" AS x')).toMatchObject({ format: 'TabSeparated' });
    // As headers too (the Java client sends them so).
    expect(
      parseRequest({}, 'SELECT 1', { 'x-clickhouse-format': 'RowBinaryWithNamesAndTypes', 'x-clickhouse-database': 'v' }),
    ).toMatchObject({
      format: 'RowBinaryWithNamesAndTypes',
      database: 'v',
    });
  });

  it('compresses only when asked both ways', () => {
    expect(parseRequest({ enable_http_compression: '1' }, 'SELECT 1', { 'accept-encoding': 'gzip, deflate' }).gzip).toBe(true);
    expect(parseRequest({ enable_http_compression: '1' }, 'SELECT 1', { 'accept-encoding': 'deflate' }).gzip).toBe(false);
    expect(parseRequest({}, 'SELECT 1', { 'accept-encoding': 'gzip' }).gzip).toBe(false);
    // ClickHouse's own blocks: a protocol parameter, not a setting.
    expect(parseRequest({ compress: '1' }, 'SELECT 1')).toMatchObject({ compress: true, settings: {} });
  });
});

describe(credentials.name, () => {
  it('reads X-ClickHouse-User/Key, then Basic, then the URL, then the default user', () => {
    expect(credentials({ 'x-clickhouse-user': 'a', 'x-clickhouse-key': 'k' }, { user: 'b' })).toEqual({ user: 'a', password: 'k' });
    const basic = `Basic ${Buffer.from('analyst:p:w').toString('base64')}`;
    expect(credentials({ authorization: basic }, {})).toEqual({ user: 'analyst', password: 'p:w' });
    expect(credentials({}, { user: 'u', password: 'p' })).toEqual({ user: 'u', password: 'p' });
    expect(credentials({}, {})).toEqual({ user: 'default', password: '' });
  });
});

describe('answers', () => {
  it('types formats and maps codes to statuses as ClickHouse does', () => {
    expect(contentType('JSONEachRow')).toBe('application/json; charset=UTF-8');
    expect(contentType('TabSeparatedWithNames')).toBe('text/tab-separated-values; charset=UTF-8');
    expect(contentType('RowBinary')).toBe('application/octet-stream');
    expect([516, 164, 60, 62, 159, 48, 396].map(statusOf)).toEqual([401, 403, 404, 400, 408, 501, 500]);
    expect(exceptionText(164, 'Code: 164. DB::Exception: readonly. (READONLY)')).toBe('Code: 164. DB::Exception: readonly. (READONLY)\n');
    expect(exceptionText(516, 'analyst: Authentication failed')).toBe('Code: 516. DB::Exception: analyst: Authentication failed\n');
  });
});
