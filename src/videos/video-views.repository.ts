import { Injectable } from '@nestjs/common';
import { ClickHouseService } from '../clickhouse/clickhouse.service';
import { toClickHouseDateTime } from '../clickhouse/params';
import { sql } from '../clickhouse/sql-query';
import { lastHourWindow, minuteStart } from '../top-k/last-hour';
import { tumblingWindow, WindowName } from '../top-k/windows';

type Count = string | number | null;
export type WindowCounts = Record<WindowName, number>;

const VIDEO_VIEWS = sql('video_views', {
  hour: "DateTime('UTC')",
  day: "DateTime('UTC')",
  month: "DateTime('UTC')",
  videos: 'Array(String)',
  window_start: "DateTime('UTC')",
  closed_through: "DateTime('UTC')",
  current_minute: "DateTime('UTC')",
}).rows<{ video_id: string; hour: Count; day: Count; month: Count; all_time: Count; last_hour: Count }>();

const ZERO: WindowCounts = { 'last-hour': 0, hour: 0, day: 0, month: 0, 'all-time': 0 };

/** Videos' counts, by primary-key lookups (clickhouse/queries/video_views.sql). */
@Injectable()
export class VideoViewsRepository {
  constructor(private readonly clickhouse: ClickHouseService) {}

  /**
   * Each video's count in every window at `now` (zeros for a video never viewed), in one query whatever their
   * number. last-hour counts the minutes up to `closedThroughMs` (the newest minute frozen into the served list,
   * -Infinity for none) as frozen and the later ones live, as its list does.
   */
  async counts(videoIds: readonly string[], now: Date, closedThroughMs: number): Promise<Map<string, WindowCounts>> {
    const at = (d: Date | number) => toClickHouseDateTime(new Date(d));
    const rows = await this.clickhouse.laneRows('lookups', VIDEO_VIEWS, {
      hour: at(tumblingWindow('hour', now).start),
      day: at(tumblingWindow('day', now).start),
      month: at(tumblingWindow('month', now).start),
      videos: [...videoIds],
      window_start: at(lastHourWindow(now).start),
      closed_through: at(Math.max(closedThroughMs, 0)),
      current_minute: at(minuteStart(now.getTime())),
    });
    const n = (value: Count) => Number(value ?? 0);
    const counts = new Map(videoIds.map((id) => [id, ZERO]));
    for (const row of rows)
      counts.set(row.video_id, {
        'last-hour': n(row.last_hour),
        hour: n(row.hour),
        day: n(row.day),
        month: n(row.month),
        'all-time': n(row.all_time),
      });
    return counts;
  }
}
