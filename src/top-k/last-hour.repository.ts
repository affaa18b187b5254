import { Injectable } from '@nestjs/common';
import { ClickHouseService } from '../clickhouse/clickhouse.service';
import { INGESTED_OFFSETS, offsetsByPartition } from '../clickhouse/ingested-offsets';
import { RankedVideo } from './ranking';
import { LastHourStep } from './last-hour';
import { toRanked, TopRow } from './top-k.reader';
import { toClickHouseDateTime } from '../clickhouse/params';
import { sql } from '../clickhouse/sql-query';

const at = (minute: number) => toClickHouseDateTime(new Date(minute));

const LEDGER = sql('last_hour_ledger', { since: "DateTime('UTC')" }).rows<{ minute: string; steps: LastHourStep[] }>();
const SNAPSHOT = sql('last_hour_snapshot', { minute: "DateTime('UTC')" });
const APPLY = sql('last_hour_apply', { minute: "DateTime('UTC')", sign: 'Int8' });
const RECORD = sql('last_hour_record', { minute: "DateTime('UTC')", step: 'String' });
const TOP = sql('topk_last_hour', {
  closed_through: "DateTime('UTC')",
  window_start: "DateTime('UTC')",
  current_minute: "DateTime('UTC')",
  k: 'UInt32',
}).rows<TopRow>();
const STATE_TOP = sql('last_hour_state_top', { n: 'UInt32' }).rows<TopRow>();
const OPEN = sql('last_hour_open', {
  closed_through: "DateTime('UTC')",
  window_start: "DateTime('UTC')",
  current_minute: "DateTime('UTC')",
  min_views: 'UInt64',
  known: 'Array(String)',
}).rows<TopRow>();
const STATE_VIEWS = sql('last_hour_state_views', { videos: 'Array(String)' }).rows<TopRow>();
const counts = (rows: TopRow[]) => new Map(rows.map((r) => [r.video_id, Number(r.views)]));
const SETTINGS = sql('last_hour_settings', {}).rows<{ late_tolerance_ms: string | number }>();
const LATE_VIEWS = sql('last_hour_late_views', {}).rows<{ late_views: string | number }>();

/**
 * Reads and writes of the last-hour state (tables of migration 0005). Its reads take a lane of their own (laneRows),
 * so that the sliding hour's part of a refresh runs beside the growing windows' instead of after it; its steps
 * (inserts, once a minute) take the common path, awaited before the reads that follow them.
 */
@Injectable()
export class LastHourRepository {
  constructor(private readonly clickhouse: ClickHouseService) {}

  get database(): string {
    return this.clickhouse.database;
  }

  /** Steps recorded per minute since `since` (epoch ms). */
  async ledger(since: number): Promise<Map<number, Set<LastHourStep>>> {
    const rows = await this.clickhouse.laneRows('last-hour', LEDGER, { since: at(since) });
    return new Map(rows.map((r) => [Date.parse(r.minute), new Set(r.steps)]));
  }

  /**
   * Runs one step. Its dedup token names the step and minute, so ClickHouse drops a repeat of a step that already
   * took effect (after a crash before it was recorded, or from a second scheduler).
   */
  async runStep(minute: number, step: LastHourStep): Promise<void> {
    // One insert thread keeps the blocks of a repeated step identical, so each one is recognised as a repeat.
    const settings = { insert_deduplication_token: `${step}:${minute}`, max_insert_threads: '1' };
    if (step === 'snapshot') await this.clickhouse.run(SNAPSHOT, { minute: at(minute) }, settings);
    else await this.clickhouse.run(APPLY, { minute: at(minute), sign: step === 'add' ? 1 : -1 }, settings);
  }

  async record(minute: number, step: LastHourStep): Promise<void> {
    await this.clickhouse.run(RECORD, { minute: at(minute), step });
  }

  /** Top k of the state plus the open minutes of the window (after closedThrough, from windowStart to currentMinute). */
  async top(closedThrough: number, windowStart: number, currentMinute: number, k: number): Promise<RankedVideo[]> {
    const rows = await this.clickhouse.laneRows('last-hour', TOP, {
      closed_through: at(Math.max(closedThrough, 0)),
      window_start: at(windowStart),
      current_minute: at(currentMinute),
      k,
    });
    return toRanked(rows);
  }

  /** The top n of the state alone (the closed minutes of the window). */
  async stateTop(n: number): Promise<RankedVideo[]> {
    return toRanked(await this.clickhouse.laneRows('last-hour', STATE_TOP, { n }));
  }

  /** Views of the open minutes (as top()) of the `known` videos and of every video with at least `minViews` of them. */
  async openViews(
    closedThrough: number,
    windowStart: number,
    currentMinute: number,
    minViews: number,
    known: string[],
  ): Promise<Map<string, number>> {
    return counts(
      await this.clickhouse.laneRows('last-hour', OPEN, {
        closed_through: at(Math.max(closedThrough, 0)),
        window_start: at(windowStart),
        current_minute: at(currentMinute),
        min_views: minViews,
        known,
      }),
    );
  }

  /** The state of some videos, by key lookup (videos without views in it are absent). */
  async stateViews(videos: string[]): Promise<Map<string, number>> {
    return videos.length === 0 ? new Map() : counts(await this.clickhouse.laneRows('last-hour', STATE_VIEWS, { videos }));
  }

  /** Per Kafka partition, the offset after the newest message whose rows ClickHouse has written. */
  async ingestedOffsets(): Promise<Map<number, number>> {
    return offsetsByPartition(await this.clickhouse.laneRows('last-hour', INGESTED_OFFSETS, {}));
  }

  /** The late tolerance the database's on-time view was created with. */
  async lateToleranceMs(): Promise<number> {
    const [row] = await this.clickhouse.laneRows('last-hour', SETTINGS, {});
    return Number(row.late_tolerance_ms);
  }

  async lateViews(): Promise<number> {
    const [row] = await this.clickhouse.laneRows('last-hour', LATE_VIEWS, {});
    return Number(row?.late_views ?? 0);
  }
}
