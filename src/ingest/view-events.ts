// View events as clients send them over HTTP: pure checks and the Kafka encoding, mirroring what the ClickHouse
// pipeline accepts (views_queue_mv, clickhouse/queue/views_queue_mv.sql), so a batch
// accepted here is counted there.
import { JsonNumber } from '../http/strict-json';

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
 * Epoch milliseconds of a ts, or undefined if it is none: a JSON integer from 0 (-0 too), digits as text (at most 16),
 * or an RFC 3339 string naming a day that exists (2026-02-30 does not). A number written otherwise (1.7e12,
 * 1795822862500.0) or beyond 16 digits arrives as a JsonNumber and is refused by its text, as the pipeline refuses
 * the Float64 or the digits the Kafka engine reads for it.
 */
export function eventTimeMs(ts: unknown): number | undefined {
  if (typeof ts === 'number') return Number.isSafeInteger(ts) && ts >= 0 ? ts : undefined;
  if (ts instanceof JsonNumber) return EPOCH_MS.test(ts.literal) ? Number(ts.literal) : undefined;
  if (typeof ts !== 'string') return undefined;
  if (EPOCH_MS.test(ts)) return Number(ts);
  if (!RFC3339.test(ts)) return undefined;
  const [year, month, day] = [Number(ts.slice(0, 4)), Number(ts.slice(5, 7)), Number(ts.slice(8, 10))];
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return undefined;
  const ms = Date.parse(ts.toUpperCase().replace(' ', 'T'));
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Every reason a view is refused, the same words at both doors: POST /views answers `views.<i>.<reason>`, the
 * pipeline dead-letters the message with `<reason>` (clickhouse/queue/views_queue_mv.sql; a test keeps them equal).
 */
export const VIEW_PROBLEMS = {
  notObject: 'is not a view: a JSON object with video_id and ts',
  unknownKey: (key: string) => `${key} is not a field of a view (only video_id and ts)`,
  twice: (key: string) => `${key} appears twice`,
  idMissing: 'video_id is missing or empty',
  idNotString: 'video_id must be a string',
  idNotUtf8: 'video_id is not valid UTF-8',
  idTooLong: `video_id is longer than ${MAX_VIDEO_ID_BYTES} bytes`,
  tsMissing: 'ts is missing or empty',
  tsInvalid: 'ts is neither an RFC 3339 date-time nor epoch milliseconds',
  tsFuture: 'ts is more than a day in the future',
  tsOld: (days: number) => `ts is more than ${days} days old`,
} as const;

/** A lone UTF-16 surrogate: an escape such as \ud800, or a byte that was not UTF-8 (kept by decodeUtf8Keeping). */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Why the pipeline would not count this view, or undefined: the first reason, in views_queue_mv's order, so that
 * both doors name the same one. One definition of a valid view, for POST /views; the pipeline's SQL is its twin.
 */
export function viewProblem(event: unknown, now: Date, maxAgeDays: number): string | undefined {
  if (typeof event !== 'object' || event === null || Array.isArray(event) || event instanceof JsonNumber) return VIEW_PROBLEMS.notObject;
  const fields = event as Record<string, unknown>;
  const unknown = Object.keys(fields).find((key) => key !== 'video_id' && key !== 'ts');
  if (unknown !== undefined) return VIEW_PROBLEMS.unknownKey(unknown);
  const id = fields.video_id;
  if (id === undefined || id === null || id === '') return VIEW_PROBLEMS.idMissing;
  if (typeof id !== 'string') return VIEW_PROBLEMS.idNotString;
  const idProblem = videoIdProblem(id);
  if (idProblem) return `video_id ${idProblem}`;
  const ts = fields.ts;
  if (ts === undefined || ts === null || ts === '') return VIEW_PROBLEMS.tsMissing;
  const ms = eventTimeMs(ts);
  if (ms === undefined) return VIEW_PROBLEMS.tsInvalid;
  if (ms > now.getTime() + DAY_MS) return VIEW_PROBLEMS.tsFuture;
  if (ms < now.getTime() - maxAgeDays * DAY_MS) return VIEW_PROBLEMS.tsOld(maxAgeDays);
  return undefined;
}

/**
 * Why the pipeline would not count a string id, or undefined: viewProblem's checks of an id (VIEW_PROBLEMS.idNotUtf8,
 * idTooLong), and the check of ids taken elsewhere, as a path parameter.
 */
export function videoIdProblem(id: string): string | undefined {
  if (LONE_SURROGATE.test(id)) return 'is not valid UTF-8';
  if (Buffer.byteLength(id, 'utf8') > MAX_VIDEO_ID_BYTES) return `is longer than ${MAX_VIDEO_ID_BYTES} bytes`;
  return undefined;
}

/** What is wrong with each event, by position (`views.<i>.<reason>`): empty when every view is good. */
export function eventProblems(events: readonly unknown[], now: Date, maxAgeDays: number): string[] {
  const problems: string[] = [];
  events.forEach((event, i) => {
    const problem = viewProblem(event, now, maxAgeDays);
    if (problem) problems.push(problem === VIEW_PROBLEMS.notObject ? `views.${i} ${problem}` : `views.${i}.${problem}`);
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
