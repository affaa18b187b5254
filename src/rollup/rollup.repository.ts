import { Injectable } from '@nestjs/common';
import { ClickHouseService } from '../clickhouse/clickhouse.service';
import { sql } from '../clickhouse/sql-query';
import { applyToken, doneToken, intentToken, RollupRange, RollupState } from './rollup';

const STATE = sql('rollup_state', {}).rows<{ intent: string; done: string }>();
const NEWEST = sql('rollup_newest_block', {}).rows<{ newest: string }>();
const RECORD = sql('rollup_record', { step: 'String', upto: 'UInt64' });
const APPLY = sql('rollup_apply', { done: 'UInt64', upto: 'UInt64' });
const EXPIRED = sql('rollup_expired', { keep_hours: 'UInt32', done: 'UInt64' }).rows<{ partition_id: string }>();
const DROP = sql('rollup_drop', { partition: 'String' });

/** Reads and writes of the rollup (views_rollup and views_recent, migration 0017); the plan is rollup.ts. */
@Injectable()
export class RollupRepository {
  constructor(private readonly clickhouse: ClickHouseService) {}

  async state(): Promise<RollupState> {
    const [row] = await this.clickhouse.rows(STATE, {});
    return { intent: Number(row?.intent ?? 0), done: Number(row?.done ?? 0) };
  }

  /** The newest block of views_recent (0 while it has none). */
  async newestBlock(): Promise<number> {
    const [row] = await this.clickhouse.rows(NEWEST, {});
    return Number(row?.newest ?? 0);
  }

  /** Records the intent to roll `range` up; dropped if an intent after the same rollup was recorded first. */
  async intend(range: RollupRange): Promise<void> {
    await this.clickhouse.run(RECORD, { step: 'intent', upto: range.upto }, { insert_deduplication_token: intentToken(range.from) });
  }

  async apply(range: RollupRange): Promise<void> {
    await this.clickhouse.run(
      APPLY,
      { done: range.from, upto: range.upto },
      // One insert thread keeps the blocks of a repeat identical, so each is recognised as one; the views' tables
      // check the token too, also when views_by_hour already has the block.
      { insert_deduplication_token: applyToken(range), max_insert_threads: '1', deduplicate_blocks_in_dependent_materialized_views: 1 },
    );
  }

  async recordDone(upto: number): Promise<void> {
    await this.clickhouse.run(RECORD, { step: 'done', upto }, { insert_deduplication_token: doneToken(upto) });
  }

  /** Drops views_recent's partitions older than `keepHours` and rolled up whole (up to `done`); returns their ids. */
  async dropExpired(keepHours: number, done: number): Promise<string[]> {
    const expired = (await this.clickhouse.rows(EXPIRED, { keep_hours: keepHours, done })).map((r) => r.partition_id);
    for (const partition of expired) await this.clickhouse.run(DROP, { partition });
    return expired;
  }
}
