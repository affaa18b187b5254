// View events as clients send them over HTTP: pure checks and the Kafka encoding, mirroring what the ClickHouse
// pipeline accepts (views_queue_mv, clickhouse/queue/views_queue_mv.sql), so a batch
// accepted here is counted there.

/** The longest video id, in UTF-8 bytes (longer ones are dead-lettered by the pipeline). */
export const MAX_VIDEO_ID_BYTES = 256;
const DAY_MS = 86_400_000;
/**
 * RFC 3339 date-time with every field in range: date, 'T' (either case) or a space, time with an optional fraction of
 * up to 9 digits, then Z (either case) or an offset. The pipeline matches ts against this same pattern
 * (clickhouse/queue/views_queue_mv.sql; a unit test keeps the two equal).
 */
export const RFC3339_PATTERN =
  '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$';
/** Epoch milliseconds as text (the pipeline's pattern too). */
export const EPOCH_MS_PATTERN = '^[0-9]{1,16}$';
const RFC3339 = new RegExp(RFC3339_PATTERN);
const EPOCH_MS = new RegExp(EPOCH_MS_PATTERN);

export interface ViewEvent {
  video_id: string;
  ts: string | number;
}

/**
 * Epoch milliseconds of a ts (epoch ms as an integer or as digits, or an RFC 3339 string), or undefined if it is
 * neither, or names a day that does not exist (2026-02-30): the pipeline's rule exactly.
 */
export function eventTimeMs(ts: unknown): number | undefined {
  if (typeof ts === 'number') return Number.isSafeInteger(ts) && ts >= 0 ? ts : undefined;
  if (typeof ts !== 'string') return undefined;
  if (EPOCH_MS.test(ts)) return Number(ts);
  if (!RFC3339.test(ts)) return undefined;
  const [year, month, day] = [Number(ts.slice(0, 4)), Number(ts.slice(5, 7)), Number(ts.slice(8, 10))];
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return undefined;
  const ms = Date.parse(ts.toUpperCase().replace(' ', 'T'));
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Why the pipeline would not count a video id (clickhouse/queue/views_queue_mv.sql), or undefined: the one
 * definition of a valid id on both paths. Emptiness and type are the DTO's checks.
 * - valid Unicode: a lone surrogate (half an emoji) has no UTF-8 form (the pipeline dead-letters invalid UTF-8);
 * - at most 256 UTF-8 bytes.
 * A string that looks like JSON ("{}", "[1]") is a string like any other, and is counted.
 */
export function videoIdProblem(id: string): string | undefined {
  if (/\p{Cs}/u.test(id)) return 'holds an unpaired UTF-16 surrogate (not valid Unicode)';
  if (Buffer.byteLength(id, 'utf8') > MAX_VIDEO_ID_BYTES) return `is longer than ${MAX_VIDEO_ID_BYTES} bytes`;
  return undefined;
}

/**
 * What is wrong with each event that passed the shape checks, by position: event time in range (no more than a
 * day ahead of `now`, no older than maxAgeDays) and the id's size in bytes. Empty when the batch is good.
 */
export function eventProblems(events: readonly ViewEvent[], now: Date, maxAgeDays: number): string[] {
  const problems: string[] = [];
  events.forEach((event, i) => {
    const idProblem = videoIdProblem(event.video_id);
    if (idProblem) problems.push(`views.${i}.video_id ${idProblem}`);
    const ms = eventTimeMs(event.ts);
    if (ms === undefined) problems.push(`views.${i}.ts must be epoch milliseconds or an RFC 3339 date-time`);
    else if (ms > now.getTime() + DAY_MS) problems.push(`views.${i}.ts is more than a day in the future`);
    else if (ms < now.getTime() - maxAgeDays * DAY_MS) problems.push(`views.${i}.ts is more than ${maxAgeDays} days old`);
  });
  return problems;
}

/** The formats a views topic's messages can be in (KAFKA_FORMAT), in ClickHouse's names. */
export type MessageFormat = 'JSONEachRow' | 'TSV';

/**
 * A field as ClickHouse's TabSeparated format reads it back unchanged: backslash, tab, line feed and carriage return
 * escaped with a backslash, everything else as it is.
 */
export function tsvField(value: string): string {
  return value.replace(/[\\\t\n\r]/g, (c) => TSV_ESCAPES[c]);
}
const TSV_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** One view as a line of the topic's format. */
export function viewRow(event: ViewEvent, format: MessageFormat): string {
  return format === 'TSV'
    ? `${tsvField(event.video_id)}\t${tsvField(String(event.ts))}`
    : JSON.stringify({ video_id: event.video_id, ts: String(event.ts) });
}

/** Lines of the topic's format, at most `rowsPerMessage` events per Kafka message (the Kafka engine reads several rows a message). */
export function toKafkaMessages(events: readonly ViewEvent[], format: MessageFormat = 'JSONEachRow', rowsPerMessage = 500): string[] {
  const messages: string[] = [];
  for (let i = 0; i < events.length; i += rowsPerMessage) {
    messages.push(
      events
        .slice(i, i + rowsPerMessage)
        .map((e) => viewRow(e, format))
        .join('\n'),
    );
  }
  return messages;
}
