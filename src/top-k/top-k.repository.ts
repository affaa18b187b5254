import { Injectable } from '@nestjs/common';
import { ClickHouseService } from '../clickhouse/clickhouse.service';
import { serverNowMs } from '../clickhouse/server-clock';
import type { RowsRequest } from './refresh-thread';
import { READER_QUERIES, TopKReader } from './top-k.reader';

/** Top-K reads from the counting tables, in this thread, and the engine's clock. */
@Injectable()
export class TopKRepository extends TopKReader {
  constructor(private readonly clickhouse: ClickHouseService) {
    super(clickhouse);
  }

  /**
   * One of TopKReader's queries for the refresh's thread (RefreshThread): its rows as the engine wrote them, JSON
   * lines, which that thread parses. Any other name is refused.
   */
  rowsText({ name, params, lane }: RowsRequest): Promise<string> {
    const query = READER_QUERIES.get(name);
    if (!query) return Promise.reject(new Error(`the refresh's thread asked for ${JSON.stringify(name)}, not one of its queries`));
    return lane ? this.clickhouse.laneRowsText(lane, query, params) : this.clickhouse.rowsText(query, params);
  }

  /** ClickHouse's clock, in which ingestion times are recorded. */
  serverNowMs(): Promise<number> {
    return serverNowMs(this.clickhouse);
  }
}
