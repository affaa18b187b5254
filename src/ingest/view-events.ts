// View events as clients send them over HTTP: pure checks and the Kafka encoding, mirroring what the ClickHouse
// pipeline accepts (clickhouse/migrations/0004_kafka_queue.sql), so a batch accepted here is counted there.

/** The longest video id, in UTF-8 bytes (longer ones are dead-lettered by the pipeline). */
export const MAX_VIDEO_ID_BYTES = 256;
const DAY_MS = 86_400_000;
/** RFC 3339 date-time: date, 'T' or space, time with optional fraction, then Z or an offset. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

export interface ViewEvent {
  video_id: string;
  ts: string | number;
}

/** Epoch milliseconds of a ts (an integer of epoch ms, or an RFC 3339 string), or undefined if it is neither. */
export function eventTimeMs(ts: unknown): number | undefined {
  if (typeof ts === 'number') return Number.isSafeInteger(ts) && ts >= 0 ? ts : undefined;
  if (typeof ts !== 'string' || !RFC3339.test(ts)) return undefined;
  const ms = Date.parse(ts.replace(' ', 'T'));
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * What is wrong with each event that passed the shape checks, by position: event time in range (no more than a
 * day ahead of `now`, no older than maxAgeDays) and the id's size in bytes. Empty when the batch is good.
 */
export function eventProblems(events: readonly ViewEvent[], now: Date, maxAgeDays: number): string[] {
  const problems: string[] = [];
  events.forEach((event, i) => {
    if (Buffer.byteLength(event.video_id, 'utf8') > MAX_VIDEO_ID_BYTES) problems.push(`views.${i}.video_id is longer than ${MAX_VIDEO_ID_BYTES} bytes`);
    const ms = eventTimeMs(event.ts);
    if (ms === undefined) problems.push(`views.${i}.ts must be epoch milliseconds (an integer) or an RFC 3339 time`);
    else if (ms > now.getTime() + DAY_MS) problems.push(`views.${i}.ts is more than a day in the future`);
    else if (ms < now.getTime() - maxAgeDays * DAY_MS) problems.push(`views.${i}.ts is more than ${maxAgeDays} days old`);
  });
  return problems;
}

/** JSON lines, at most `rowsPerMessage` events per Kafka message (the Kafka engine reads several rows a message). */
export function toKafkaMessages(events: readonly ViewEvent[], rowsPerMessage = 500): string[] {
  const messages: string[] = [];
  for (let i = 0; i < events.length; i += rowsPerMessage) {
    messages.push(events.slice(i, i + rowsPerMessage).map((e) => JSON.stringify({ video_id: e.video_id, ts: String(e.ts) })).join('\n'));
  }
  return messages;
}
