// The response headers of a served list, in one place: GET /views/top-k sets them, and the stream
// (GET /views/top-k/stream) sends them inside each event.
import { PastList } from './final-list.repository';
import { TopKSnapshot } from './snapshot';

/** A current list: how old it is, its window and, for last-hour, its watermark. */
export function currentListHeaders(snapshot: TopKSnapshot, status: { ageMs: number; stale: boolean }): Record<string, string> {
  const headers: Record<string, string> = { Age: String(Math.floor(status.ageMs / 1000)) };
  if (status.stale) headers['X-Stale'] = 'true';
  headers['X-Window'] = snapshot.window;
  if (snapshot.interval) {
    headers['X-Window-Start'] = snapshot.interval.start.toISOString();
    headers['X-Window-End'] = snapshot.interval.end.toISOString();
  }
  headers['X-Computed-At'] = snapshot.computedAt.toISOString();
  if (snapshot.watermark) headers['X-Watermark'] = snapshot.watermark.toISOString();
  return headers;
}

/** One year, the longest max-age HTTP caches are asked to honour (RFC 9111 §5.2.2.1 says no more is needed). */
const A_YEAR_S = 31_536_000;

/**
 * A past window's list. A final one never changes: caches may keep it for good (privately only when reads need a
 * key, so that a shared cache never hands it to a client without one). A list not final yet changes until it is.
 */
export function pastListHeaders(list: PastList, keyRequired: boolean): Record<string, string> {
  return {
    'Cache-Control': list.final ? `${keyRequired ? 'private' : 'public'}, max-age=${A_YEAR_S}, immutable` : 'no-cache',
    'X-Window': list.window,
    'X-Window-Start': list.interval.start.toISOString(),
    'X-Window-End': list.interval.end.toISOString(),
    'X-Computed-At': list.computedAt.toISOString(),
    'X-Window-Final': String(list.final),
  };
}
