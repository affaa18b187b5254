// Query parameters bound on an engine session (`SET param_<name> = '…'`) rather than by the embedded binding's
// queryBind, which runs every parameterized query of the process one at a time on one chain: a lookup bound this way
// runs beside the refresh's queries instead of behind them (issue #36). The values are written exactly as
// @clickhouse/client writes param_<name> for a ClickHouse server over HTTP (its own formatter), then quoted as a SQL
// string; the engine parses each by the type the query gives it. Never concatenated into the query.
// The client's own formatter, which its index does not re-export (a unit test pins what it writes).
import { formatQueryParams } from '@clickhouse/client/dist/common/data_formatter/format_query_params';
import { quoteString } from './sql-string';

const PARAMETER_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** One SET statement binding every parameter of `params` on the session it runs on. */
export function setParams(params: Record<string, unknown>): string {
  const bindings = Object.entries(params).map(([name, value]) => {
    if (!PARAMETER_NAME.test(name)) throw new Error(`a query parameter's name is an identifier, not ${JSON.stringify(name)}`);
    return `param_${name} = ${quoteString(formatQueryParams({ value }))}`;
  });
  if (bindings.length === 0) throw new Error('no parameters to bind');
  return `SET ${bindings.join(', ')}`;
}
