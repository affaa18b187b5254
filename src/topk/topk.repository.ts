import { Injectable } from '@nestjs/common';
import { ClickHouseService } from '../clickhouse/clickhouse.service';
import { RankedVideo } from './ranking';
import { Interval, toClickHouseDateTime } from './windows';

interface TopRow {
  video_id: string;
  /** UInt64 arrives as a string in JSON; counts stay far below 2^53. */
  views: string | number;
}

const toRanked = (rows: TopRow[]): RankedVideo[] => rows.map((r) => ({ videoId: r.video_id, views: Number(r.views) }));

/** Top-K reads from the counting tables. */
@Injectable()
export class TopKRepository {
  constructor(private readonly clickhouse: ClickHouseService) {}

  async topInInterval(interval: Interval, k: number): Promise<RankedVideo[]> {
    const rows = await this.clickhouse.rows<TopRow>('topk_range', {
      start: toClickHouseDateTime(interval.start),
      end: toClickHouseDateTime(interval.end),
      k,
    });
    return toRanked(rows);
  }

  async topAllTime(k: number): Promise<RankedVideo[]> {
    return toRanked(await this.clickhouse.rows<TopRow>('topk_all_time', { k }));
  }

  /** The top k among `previous` and the videos ingested at or after `sinceMs` (ClickHouse's clock). */
  async topInIntervalIncremental(interval: Interval, k: number, previous: string[], sinceMs: number): Promise<RankedVideo[]> {
    const rows = await this.clickhouse.rows<TopRow>('topk_range_incremental', {
      start: toClickHouseDateTime(interval.start),
      end: toClickHouseDateTime(interval.end),
      k,
      previous,
      since_ms: sinceMs,
    });
    return toRanked(rows);
  }

  async topAllTimeIncremental(k: number, previous: string[], sinceMs: number): Promise<RankedVideo[]> {
    return toRanked(await this.clickhouse.rows<TopRow>('topk_all_time_incremental', { k, previous, since_ms: sinceMs }));
  }

  /** ClickHouse's clock, in which ingestion times are recorded. */
  async serverNowMs(): Promise<number> {
    const [row] = await this.clickhouse.rows<{ now_ms: string | number }>('server_now');
    return Number(row.now_ms);
  }
}
