import { Injectable } from '@nestjs/common';
import { ClickHouseService } from '../clickhouse/clickhouse.service';
import { toClickHouseDateTime } from '../clickhouse/params';
import { sql } from '../clickhouse/sql-query';
import { lastHourWindow, minuteStart } from '../top-k/last-hour';
import { tumblingWindow, WindowName } from '../top-k/windows';

type Count = string | number | null;

const VIDEO_VIEWS = sql('video_views', {
  hour: "DateTime('UTC')",
  day: "DateTime('UTC')",
  month: "DateTime('UTC')",
  video: 'String',
  window_start: "DateTime('UTC')",
  closed_through: "DateTime('UTC')",
  current_minute: "DateTime('UTC')",
}).rows<{ hour: Count; day: Count; month: Count; all_time: Count; last_hour: Count }>();

/** One video's counts, by primary-key lookups (clickhouse/queries/video_views.sql). */
@Injectable()
export class VideoViewsRepository {
  constructor(private readonly clickhouse: ClickHouseService) {}

  /**
   * The video's count in every window at `now`. last-hour counts the minutes up to `closedThroughMs` (the newest
   * minute frozen into the served list, -Infinity for none) as frozen and the later ones live, as its list does.
   */
  async counts(videoId: string, now: Date, closedThroughMs: number): Promise<Record<WindowName, number>> {
    const at = (d: Date | number) => toClickHouseDateTime(new Date(d));
    const [row] = await this.clickhouse.rows(VIDEO_VIEWS, {
      hour: at(tumblingWindow('hour', now).start),
      day: at(tumblingWindow('day', now).start),
      month: at(tumblingWindow('month', now).start),
      video: videoId,
      window_start: at(lastHourWindow(now).start),
      closed_through: at(Math.max(closedThroughMs, 0)),
      current_minute: at(minuteStart(now.getTime())),
    });
    const n = (value: Count) => Number(value ?? 0);
    return { 'last-hour': n(row.last_hour), hour: n(row.hour), day: n(row.day), month: n(row.month), 'all-time': n(row.all_time) };
  }
}
