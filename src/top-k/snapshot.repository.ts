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
  windows: 'Array(String)',
  window_starts: "Array(Nullable(DateTime64(3, 'UTC')))",
  window_ends: "Array(Nullable(DateTime64(3, 'UTC')))",
  computed_ats: "Array(DateTime64(3, 'UTC'))",
  videos: 'Array(Array(String))',
  views: 'Array(Array(UInt64))',
});
const LATEST = sql('topk_snapshot_latest', {}).rows<SnapshotRow>();
const AT = sql('topk_snapshot_at', { window: 'String', at: "DateTime64(3, 'UTC')" }).rows<SnapshotRow>();

/** Stored top-K lists (migration 0007). */
@Injectable()
export class SnapshotRepository {
  constructor(private readonly clickhouse: ClickHouseService) {}

  /**
   * Stores lists in one insert: a refresh saves every list it changed at once, one part instead of one per window
   * (measured at 20k views/s: five saves of ~18 ms each a refresh, see the commit).
   */
  async save(snapshots: readonly TopKSnapshot[]): Promise<void> {
    if (snapshots.length === 0) return;
    const at = (d?: Date) => (d ? toClickHouseDateTime64(d) : null);
    await this.clickhouse.run(SAVE, {
      windows: snapshots.map((s) => s.window),
      window_starts: snapshots.map((s) => at(s.interval?.start)),
      window_ends: snapshots.map((s) => at(s.interval?.end)),
      computed_ats: snapshots.map((s) => toClickHouseDateTime64(s.computedAt)),
      videos: snapshots.map((s) => s.entries.map((e) => e.videoId)),
      views: snapshots.map((s) => s.entries.map((e) => e.views)),
    });
  }

  /** The newest stored list of every window. */
  async latest(): Promise<TopKSnapshot[]> {
    return this.lists(await this.clickhouse.rows(LATEST, {}));
  }

  /** The list of `window` as it was at `at`: the newest stored in the day up to it, or undefined if none was. */
  async at(window: WindowName, at: Date): Promise<TopKSnapshot | undefined> {
    return this.lists(await this.clickhouse.rows(AT, { window, at: toClickHouseDateTime64(at) }))[0];
  }

  private lists(rows: SnapshotRow[]): TopKSnapshot[] {
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
