import { Injectable } from '@nestjs/common';
import { ClickHouseService } from '../clickhouse/clickhouse.service';
import { toClickHouseDateTime, toClickHouseDateTime64 } from '../clickhouse/params';
import { sql } from '../clickhouse/sql-query';
import { RankedVideo } from './ranking';
import { Interval, TumblingWindow } from './windows';

/** A past window's list as it is served. */
export interface PastList {
  window: TumblingWindow;
  interval: Interval;
  computedAt: Date;
  entries: RankedVideo[];
  /** Stored in topk_final and never recomputed (false: the window closed too recently, computed again later). */
  final: boolean;
}

const SAVE = sql('topk_final_save', {
  window: 'String',
  start: "DateTime('UTC')",
  end: "DateTime('UTC')",
  computed_at: "DateTime64(3, 'UTC')",
  videos: 'Array(String)',
  views: 'Array(UInt64)',
});
const READ = sql('topk_final_read', { window: 'String', start: "DateTime('UTC')" }).rows<{
  computed_at: string;
  videos: string[];
  views: (string | number)[];
}>();

/** The final lists of past windows (migration 0015). */
@Injectable()
export class FinalListRepository {
  constructor(private readonly clickhouse: ClickHouseService) {}

  async save(list: PastList): Promise<void> {
    await this.clickhouse.run(SAVE, {
      window: list.window,
      start: toClickHouseDateTime(list.interval.start),
      end: toClickHouseDateTime(list.interval.end),
      computed_at: toClickHouseDateTime64(list.computedAt),
      videos: list.entries.map((e) => e.videoId),
      views: list.entries.map((e) => e.views),
    });
  }

  /** The stored final list of the window, or undefined. */
  async read(window: TumblingWindow, interval: Interval): Promise<PastList | undefined> {
    const [row] = await this.clickhouse.rows(READ, { window, start: toClickHouseDateTime(interval.start) });
    if (!row) return undefined;
    return {
      window,
      interval,
      computedAt: new Date(row.computed_at),
      entries: row.videos.map((videoId, i) => ({ videoId, views: Number(row.views[i]) })),
      final: true,
    };
  }
}
