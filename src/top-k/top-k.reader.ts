// The growing windows' reads of the counting tables, on whatever runs the engine's queries (EngineRows): the service's
// ClickHouseService in this thread (TopKRepository), or the refresh's thread asking this one (refresh-thread.ts).
// No import here loads the engine.
import type { Lane } from '../clickhouse/clickhouse.service';
import { toClickHouseDateTime } from '../clickhouse/params';
import { sql, SqlQuery } from '../clickhouse/sql-query';
import { Deltas } from './incremental';
import { RankedVideo } from './ranking';
import { ALL_TIME, GrowingWindow, Interval, WINDOW_SPECS } from './windows';

/** A video's count as the counting tables' queries answer it. */
export interface TopRow {
  video_id: string;
  /** UInt64 arrives as a string in JSON; counts stay far below 2^53. */
  views: string | number;
}

export const toRanked = (rows: TopRow[]): RankedVideo[] => rows.map((r) => ({ videoId: r.video_id, views: Number(r.views) }));

const TOP_ALL_TIME = sql('topk_all_time', { k: 'UInt32' }).rows<TopRow>();
const TOP_PERIOD = sql('topk_period', { table: 'Identifier', period: 'Identifier', start: "DateTime('UTC')", k: 'UInt32' }).rows<TopRow>();
const TOTALS_ALL_TIME = sql('totals_all_time', { videos: 'Array(String)' }).rows<TopRow>();
const TOTALS_PERIOD = sql('totals_period', {
  table: 'Identifier',
  period: 'Identifier',
  start: "DateTime('UTC')",
  videos: 'Array(String)',
}).rows<TopRow>();
const DELTAS = sql('topk_deltas', {
  starts: "Array(DateTime('UTC'))",
  ends: "Array(DateTime('UTC'))",
  since_ms: 'Array(Int64)',
  min_deltas: 'Array(UInt64)',
  listed_1: 'Array(String)',
  listed_2: 'Array(String)',
  listed_3: 'Array(String)',
  listed_4: 'Array(String)',
}).rows<{ window_slot: number; grown_videos: string[]; grown_views: (string | number)[]; max_other: string | number }>();
/** The growths topk_deltas reads at once: one per growing window. */
const DELTA_SLOTS = 4;
/** An unused slot's since (2200-01-01, inside DateTime64's range): after every block, so it reads nothing. */
const NEVER_MS = Date.UTC(2200, 0, 1);

/** One window's growth to read (TopKRepository.deltas): its videos other than `listed`, in blocks ingested since `sinceMs`. */
export interface DeltaRequest {
  ref: WindowRef;
  listed: string[];
  sinceMs: number;
  minDelta: number;
}

/** A growing window's current instance: a tumbling window's bounds, or all-time (no interval). */
export interface WindowRef {
  window: GrowingWindow;
  interval?: Interval;
}

/**
 * The table, key column and period start of a tumbling window's current instance (WINDOW_SPECS: one row per
 * (period, video), so a period is one key range).
 */
function period(ref: WindowRef): { table: string; period: string; start: string } {
  const refresh = WINDOW_SPECS[ref.window].refresh;
  if (refresh.by !== 'incremental' || !refresh.period || !ref.interval) throw new Error(`${ref.window} has no period table`);
  return { table: refresh.table, period: refresh.period, start: toClickHouseDateTime(ref.interval.start) };
}

/** What runs a named query's rows: ClickHouseService's methods of the same names. */
export interface EngineRows {
  rows<P extends object, R>(query: SqlQuery<P, R>, params: P): Promise<R[]>;
  laneRows<P extends object, R>(lane: Lane, query: SqlQuery<P, R>, params: P): Promise<R[]>;
}

/** Every query TopKReader runs, by name (the refresh's thread may ask for these, and only these). */
export const READER_QUERIES: ReadonlyMap<string, SqlQuery<object, unknown>> = new Map(
  [TOP_ALL_TIME, TOP_PERIOD, TOTALS_ALL_TIME, TOTALS_PERIOD, DELTAS].map((q) => [q.name, q as SqlQuery<object, unknown>]),
);

/** Top-K reads from the counting tables. */
export class TopKReader {
  constructor(private readonly engine: EngineRows) {}

  /** The top `limit` of a window, computed in full from its grain's table. */
  async top(ref: WindowRef, limit: number): Promise<RankedVideo[]> {
    if (ref.window === 'all-time') return toRanked(await this.engine.rows(TOP_ALL_TIME, { k: limit }));
    return toRanked(await this.engine.rows(TOP_PERIOD, { ...period(ref), k: limit }));
  }

  /**
   * Exact window totals of some videos, by key lookup (videos without views in the window are absent). Each window's
   * on an engine session of its own (laneRows): the windows' lookups run side by side.
   */
  async totals(ref: WindowRef, videos: string[]): Promise<RankedVideo[]> {
    if (videos.length === 0) return [];
    const lane = `totals:${ref.window}` as const;
    if (ref.window === 'all-time') return toRanked(await this.engine.laneRows(lane, TOTALS_ALL_TIME, { videos }));
    return toRanked(await this.engine.laneRows(lane, TOTALS_PERIOD, { ...period(ref), videos }));
  }

  /**
   * How much videos other than each request's `listed` grew in its window among the blocks ingested at or after its
   * `sinceMs` (ClickHouse's clock): up to DELTA_SLOTS windows in one read of the recent blocks, answers in request order.
   */
  async deltas(requests: DeltaRequest[]): Promise<Deltas[]> {
    if (requests.length === 0) return [];
    if (requests.length > DELTA_SLOTS) throw new Error(`at most ${DELTA_SLOTS} windows' growth at once, not ${requests.length}`);
    const slots = Array.from({ length: DELTA_SLOTS }, (_, i) => requests[i]);
    const hours = slots.map((r) => (r ? (r.ref.interval ?? ALL_TIME) : ALL_TIME));
    const listed = slots.map((r) => r?.listed ?? []);
    const rows = await this.engine.rows(DELTAS, {
      starts: hours.map((h) => toClickHouseDateTime(h.start)),
      ends: hours.map((h) => toClickHouseDateTime(h.end)),
      since_ms: slots.map((r) => r?.sinceMs ?? NEVER_MS),
      min_deltas: slots.map((r) => r?.minDelta ?? 1),
      listed_1: listed[0],
      listed_2: listed[1],
      listed_3: listed[2],
      listed_4: listed[3],
    });
    const bySlot = new Map(rows.map((row) => [Number(row.window_slot), row]));
    return requests.map((_, i) => {
      const row = bySlot.get(i + 1);
      if (!row) throw new Error(`topk_deltas answered no row for slot ${i + 1}`);
      return {
        grown: new Map(row.grown_videos.map((videoId, j) => [videoId, Number(row.grown_views[j])])),
        maxOther: Number(row.max_other),
      };
    });
  }
}
