// Reads of the dead letters for operators, bounded by bytes as well as rows (clickhouse/queries/dead_letters.sql).
import { Inject, Injectable } from '@nestjs/common';
import { ClickHouseService } from '../clickhouse/clickhouse.service';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { toClickHouseDateTime64 } from '../clickhouse/params';
import { sql } from '../clickhouse/sql-query';

/** Characters of a payload a listing shows; the whole one is at GET /dead-letters/{partition}/{offset}/raw. */
export const DEAD_LETTER_PREVIEW_CHARS = 2048;
/** A page ends once its previews and errors pass this many bytes (it always holds at least one letter). */
export const DEAD_LETTER_PAGE_BYTES = 1_048_576;

export interface DeadLetter {
  received_at: string;
  topic: string;
  partition: number;
  offset: number;
  error: string;
  /** The payload, cut to DEAD_LETTER_PREVIEW_CHARS characters. */
  raw_message: string;
  /** The whole payload's size. */
  raw_bytes: number;
  truncated: boolean;
}

/** Where a page starts: after this letter, in the listing's order (newest first). */
export interface DeadLetterKey {
  received_at: string;
  topic: string;
  partition: number;
  offset: number;
}

export interface DeadLetterPage {
  letters: DeadLetter[];
  /** The last letter's key, when more letters follow. */
  next?: DeadLetterKey;
}

const dateTime64 = (iso: string) => toClickHouseDateTime64(new Date(iso));

type PageRow = Omit<DeadLetter, 'partition' | 'offset' | 'raw_bytes' | 'truncated'> &
  Record<'partition' | 'offset' | 'raw_bytes' | 'inner_rows', string | number>;

const PAGE = sql('dead_letters', {
  since: "DateTime64(3, 'UTC')",
  error_contains: 'String',
  after_received_at: "DateTime64(3, 'UTC')",
  after_topic: 'String',
  after_partition: 'UInt64',
  after_offset: 'UInt64',
  limit: 'UInt32',
  limit_plus_one: 'UInt32',
  preview_chars: 'UInt32',
  page_bytes: 'UInt32',
}).rows<PageRow>();
const RAW = sql('dead_letter_raw', { topic: 'String', partition: 'UInt64', offset: 'UInt64' }).rows<{ raw_message: string }>();

@Injectable()
export class DeadLettersRepository {
  constructor(
    private readonly clickhouse: ClickHouseService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async page(filter: { since?: string; error?: string; limit: number; after?: DeadLetterKey }): Promise<DeadLetterPage> {
    const rows = await this.clickhouse.rows(PAGE, {
      since: dateTime64(filter.since ?? '1970-01-01T00:00:00Z'),
      error_contains: filter.error ?? '',
      after_received_at: dateTime64(filter.after?.received_at ?? '2299-12-31T23:59:59.999Z'),
      after_topic: filter.after?.topic ?? '',
      after_partition: filter.after?.partition ?? 0,
      after_offset: filter.after?.offset ?? 0,
      limit: filter.limit,
      limit_plus_one: filter.limit + 1,
      preview_chars: DEAD_LETTER_PREVIEW_CHARS,
      page_bytes: DEAD_LETTER_PAGE_BYTES,
    });
    const letters = rows.map(({ inner_rows: _, ...r }) => ({
      ...r,
      partition: Number(r.partition),
      offset: Number(r.offset),
      raw_bytes: Number(r.raw_bytes),
      truncated: Buffer.byteLength(r.raw_message, 'utf8') < Number(r.raw_bytes),
    }));
    const last = letters.at(-1);
    const more = rows.length > 0 && Number(rows[0].inner_rows) > rows.length;
    return {
      letters,
      next: more && last ? { received_at: last.received_at, topic: last.topic, partition: last.partition, offset: last.offset } : undefined,
    };
  }

  /** One letter's whole payload from the views topic, or undefined. */
  async raw(partition: number, offset: number): Promise<string | undefined> {
    const [row] = await this.clickhouse.rows(RAW, {
      topic: this.config.kafka.topic,
      partition,
      offset,
    });
    return row?.raw_message;
  }
}
