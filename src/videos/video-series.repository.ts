import { Injectable } from '@nestjs/common';
import { ClickHouseService } from '../clickhouse/clickhouse.service';
import { toClickHouseDateTime } from '../clickhouse/params';
import { sql } from '../clickhouse/sql-query';
import { Grain } from './series';

const VIDEO_SERIES = sql('video_series', {
  table: 'Identifier',
  bucket: 'Identifier',
  first: "DateTime('UTC')",
  last: "DateTime('UTC')",
  videos: 'Array(String)',
}).rows<{ video_id: string; start: number; views: string | number }>();

/** Each grain's counting table and its time column: a fixed list, never taken from a request. */
const TABLES: Record<Grain, { table: string; bucket: string }> = {
  minute: { table: 'views_by_minute', bucket: 'minute' },
  hour: { table: 'views_by_hour', bucket: 'hour' },
  day: { table: 'views_by_day', bucket: 'day' },
  month: { table: 'views_by_month', bucket: 'month' },
};

/** Videos' views per bucket, by a primary-key range read (clickhouse/queries/video_series.sql). */
@Injectable()
export class VideoSeriesRepository {
  constructor(private readonly clickhouse: ClickHouseService) {}

  /**
   * Each video's views in each bucket of `grain` from `first` through `last` (bucket starts), by bucket start in ms;
   * buckets without views are absent, and so are videos without any.
   */
  async views(videoIds: readonly string[], grain: Grain, first: Date, last: Date): Promise<Map<string, Map<number, number>>> {
    const rows = await this.clickhouse.laneRows('lookups', VIDEO_SERIES, {
      ...TABLES[grain],
      first: toClickHouseDateTime(first),
      last: toClickHouseDateTime(last),
      videos: [...videoIds],
    });
    const views = new Map<string, Map<number, number>>();
    for (const row of rows) {
      let video = views.get(row.video_id);
      if (!video) views.set(row.video_id, (video = new Map()));
      video.set(Number(row.start) * 1000, Number(row.views));
    }
    return views;
  }
}
