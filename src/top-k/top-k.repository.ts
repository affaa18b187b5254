import { Injectable } from '@nestjs/common';
import { ClickHouseService } from '../clickhouse/clickhouse.service';
import { Deltas } from './incremental';
import { RankedVideo } from './ranking';
import { toClickHouseDateTime } from '../clickhouse/params';
import { serverNowMs } from '../clickhouse/server-clock';
import { sql } from '../clickhouse/sql-query';
import { ALL_TIME, GrowingWindow, Interval, WINDOW_SPECS } from './windows';

interface TopRow {
  video_id: string;
  /** UInt64 arrives as a string in JSON; counts stay far below 2^53. */
  views: string | number;
}

const toRanked = (rows: TopRow[]): RankedVideo[] => rows.map((r) => ({ videoId: r.video_id, views: Number(r.views) }));

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
  start: "DateTime('UTC')",
  end: "DateTime('UTC')",
  listed: 'Array(String)',
  since_ms: 'Int64',
  min_delta: 'UInt64',
}).rows<{ grown_videos: string[]; grown_views: (string | number)[]; max_other: string | number }>();

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

/** Top-K reads from the counting tables. */
@Injectable()
export class TopKRepository {
  constructor(private readonly clickhouse: ClickHouseService) {}

  /** The top `limit` of a window, computed in full from its grain's table. */
  async top(ref: WindowRef, limit: number): Promise<RankedVideo[]> {
    if (ref.window === 'all-time') return toRanked(await this.clickhouse.rows(TOP_ALL_TIME, { k: limit }));
    return toRanked(await this.clickhouse.rows(TOP_PERIOD, { ...period(ref), k: limit }));
  }

  /** Exact window totals of some videos, by key lookup (videos without views in the window are absent). */
  async totals(ref: WindowRef, videos: string[]): Promise<RankedVideo[]> {
    if (videos.length === 0) return [];
    if (ref.window === 'all-time') return toRanked(await this.clickhouse.rows(TOTALS_ALL_TIME, { videos }));
    return toRanked(await this.clickhouse.rows(TOTALS_PERIOD, { ...period(ref), videos }));
  }

  /** How much videos other than `listed` grew in the window among the blocks ingested at or after `sinceMs` (ClickHouse's clock). */
  async deltas(ref: WindowRef, listed: string[], sinceMs: number, minDelta: number): Promise<Deltas> {
    const hours = ref.interval ?? ALL_TIME;
    const [row] = await this.clickhouse.rows(DELTAS, {
      start: toClickHouseDateTime(hours.start),
      end: toClickHouseDateTime(hours.end),
      listed,
      since_ms: sinceMs,
      min_delta: minDelta,
    });
    return { grown: new Map(row.grown_videos.map((videoId, i) => [videoId, Number(row.grown_views[i])])), maxOther: Number(row.max_other) };
  }

  /** ClickHouse's clock, in which ingestion times are recorded. */
  serverNowMs(): Promise<number> {
    return serverNowMs(this.clickhouse);
  }
}
