// What the schema's set-up needs of ClickHouse: statements and rows with bound parameters. ClickHouseService is one;
// tests pass others (a session of another instance).
export interface SqlRunner {
  command(query: string, params?: Record<string, unknown>, settings?: Record<string, unknown>): Promise<void>;
  select<T>(query: string, params?: Record<string, unknown>): Promise<T[]>;
}
