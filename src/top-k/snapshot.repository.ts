import { Injectable } from '@nestjs/common';
import { ClickHouseService } from '../clickhouse/clickhouse.service';
import { toClickHouseDateTime64 } from '../clickhouse/params';
import { sql } from '../clickhouse/sql-query';
import type { TopKSnapshot } from './snapshot';
import { WindowName, WINDOWS } from './windows';

interface SnapshotRow {
  window: string;
  window_start: string | null;
  window_end: string | null;
  computed_at: string;
  rank: number;
  video_id: string;
  views: string | number;
}

const SAVE = sql('topk_snapshot_save', {
  window: 'String',
  window_start: "Nullable(DateTime64(3, 'UTC'))",
  window_end: "Nullable(DateTime64(3, 'UTC'))",
  computed_at: "DateTime64(3, 'UTC')",
  videos: 'Array(String)',
  views: 'Array(UInt64)',
});
const LATEST = sql('topk_snapshot_latest', {}).rows<SnapshotRow>();

/** Stored top-K lists (migration 0007). */
@Injectable()
export class SnapshotRepository {
  constructor(private readonly clickhouse: ClickHouseService) {}

  async save(snapshot: TopKSnapshot): Promise<void> {
    const at = (d?: Date) => (d ? toClickHouseDateTime64(d) : null);
    await this.clickhouse.run(SAVE, {
      window: snapshot.window,
      window_start: at(snapshot.interval?.start),
      window_end: at(snapshot.interval?.end),
      computed_at: toClickHouseDateTime64(snapshot.computedAt),
      videos: snapshot.entries.map((e) => e.videoId),
      views: snapshot.entries.map((e) => e.views),
    });
  }

  /** The newest stored list of every window. */
  async latest(): Promise<TopKSnapshot[]> {
    const rows = await this.clickhouse.rows(LATEST, {});
    const byWindow = new Map<string, TopKSnapshot>();
    for (const row of rows) {
      if (!(WINDOWS as readonly string[]).includes(row.window)) continue;
      let snapshot = byWindow.get(row.window);
      if (!snapshot) {
        snapshot = {
          window: row.window as WindowName,
          interval: row.window_start && row.window_end ? { start: new Date(row.window_start), end: new Date(row.window_end) } : undefined,
          computedAt: new Date(row.computed_at),
          entries: [],
        };
        byWindow.set(row.window, snapshot);
      }
      snapshot.entries.push({ videoId: row.video_id, views: Number(row.views) });
    }
    return [...byWindow.values()];
  }
}
