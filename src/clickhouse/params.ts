// Binding values to ClickHouse query parameters, where the text form matters.

/** 'YYYY-MM-DD hh:mm:ss' in UTC, the text form a DateTime('UTC') query parameter takes. */
export function toClickHouseDateTime(instant: Date): string {
  return instant.toISOString().slice(0, 19).replace('T', ' ');
}

/** The same with milliseconds, for DateTime64(3) parameters and columns ('2026-11-28 03:00:00.123'). */
export function toClickHouseDateTime64(instant: Date): string {
  return instant.toISOString().slice(0, 23).replace('T', ' ');
}
