import { Injectable } from '@nestjs/common';
import { ClickHouseService } from '../clickhouse/clickhouse.service';
import { toClickHouseDateTime64 } from '../clickhouse/params';
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

/** Stored top-K lists (migration 0007). */
@Injectable()
export class SnapshotRepository {
  constructor(private readonly clickhouse: ClickHouseService) {}

  async save(snapshot: TopKSnapshot): Promise<void> {
    const at = (d?: Date) => (d ? toClickHouseDateTime64(d) : null);
    await this.clickhouse.run('topk_snapshot_save', {
      window: snapshot.window,
      window_start: at(snapshot.interval?.start),
      window_end: at(snapshot.interval?.end),
      computed_at: at(snapshot.computedAt),
      videos: snapshot.entries.map((e) => e.videoId),
      views: snapshot.entries.map((e) => e.views),
    });
  }

  /** The newest stored list of every window. */
  async latest(): Promise<TopKSnapshot[]> {
    const rows = await this.clickhouse.rows<SnapshotRow>('topk_snapshot_latest');
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
