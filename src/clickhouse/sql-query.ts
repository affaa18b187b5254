// Named SQL as typed descriptors. Each file of clickhouse/queries/ is declared once, beside the code that runs it:
// its name, its parameters with their ClickHouse types (the TypeScript types follow from them) and, for a query,
// the type of its rows. sql-query.spec.ts checks every declaration against its file's {name:Type} placeholders, and
// that every file is declared. {db} is bound by ClickHouseService itself and is not declared.

/** A parameter's ClickHouse type, as written in the file's placeholder (e.g. `DateTime('UTC')`, `Array(String)`). */
export type ParamTypes = Record<string, string>;

/** The TypeScript value a ClickHouse parameter type takes. */
export type TsOf<T extends string> = T extends `Nullable(${infer I})`
  ? TsOf<I> | null
  : T extends `Array(${infer I})`
    ? TsOf<I>[]
    : T extends `${'UInt' | 'Int'}${string}`
      ? number
      : string;

export type ParamsOf<T extends ParamTypes> = { [K in keyof T]: TsOf<T[K]> };

/** A named statement without result rows (INSERT … SELECT and the like). */
export interface SqlStatement<P> {
  readonly name: string;
  readonly params: ParamTypes;
  /** Never set: carries the parameters' type. */
  readonly paramsType?: P;
}

/** A named query and the type of its rows (JSONEachRow: 64-bit integers may arrive as strings). */
export interface SqlQuery<P, R> extends SqlStatement<P> {
  /** Never set: carries the rows' type. */
  readonly rowType?: R;
}

/** Every declaration made, for sql-query.spec.ts. */
export const DECLARED: SqlStatement<unknown>[] = [];

/**
 * Declares clickhouse/queries/<name>.sql with its parameters: a statement as is, or a query with `.rows<Row>()`.
 * `const TOP = sql('topk_all_time', { k: 'UInt32' }).rows<TopRow>();`
 */
export function sql<const T extends ParamTypes>(
  name: string,
  params: T,
): SqlStatement<ParamsOf<T>> & { rows<R>(): SqlQuery<ParamsOf<T>, R> } {
  const declared = { name, params };
  DECLARED.push(declared);
  return { ...declared, rows: <R>() => declared as SqlQuery<ParamsOf<T>, R> };
}
