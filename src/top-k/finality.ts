import { RollupService } from '../rollup/rollup.service';
import { IngestWatermark } from './ingest-watermark';

/**
 * Whether an answer about a range of time that may be final from `finalFrom` (its end plus LATE_TOLERANCE_MS) is final
 * at `now`: only once ClickHouse holds every message Kafka had appended by then, so that a view on time is counted
 * whatever the lag was. Then, with `rollup`, the hour, day and month tables are rolled up (views_recent holds what
 * they do not count yet, migration 0017) before the caller reads them. The one rule for past windows' lists and
 * videos' series.
 */
export async function settleFinal(finalFrom: number, now: Date, watermark: IngestWatermark, rollup?: RollupService): Promise<boolean> {
  if (now.getTime() < finalFrom) return false;
  if ((await watermark.newestIngested([finalFrom])) < finalFrom) return false;
  await rollup?.run();
  return true;
}
