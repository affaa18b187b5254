import { ClickHouseService } from '../../src/clickhouse/clickhouse.service';

/**
 * Waits until no background merge runs in the service's database: merges after a large insert would compete for
 * the same cores as what is measured next.
 */
export async function mergesSettled(clickhouse: ClickHouseService): Promise<void> {
  for (;;) {
    const [{ merges }] = await clickhouse.select<{ merges: string }>(
      'SELECT count() AS merges FROM system.merges WHERE database = {db:String}',
    );
    if (Number(merges) === 0) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}
