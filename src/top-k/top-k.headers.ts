// The response headers of a served list, in one place: GET /views/top-k sets them, and the stream
// (GET /views/top-k/stream) sends them inside each event.
import { PastList } from './final-list.repository';
import { PreviousList } from './movement';
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
 * An answer that is final never changes: caches may keep it for good (privately only when reads need a key, so that
 * a shared cache never hands it to a client without one). One not final yet changes until it is.
 */
export function finalCacheControl(final: boolean, keyRequired: boolean): string {
  return final ? `${keyRequired ? 'private' : 'public'}, max-age=${A_YEAR_S}, immutable` : 'no-cache';
}

/** A past window's list: final (see finalCacheControl) or not yet. */
export function pastListHeaders(list: PastList, keyRequired: boolean): Record<string, string> {
  return {
    'Cache-Control': finalCacheControl(list.final, keyRequired),
    'X-Window': list.window,
    'X-Window-Start': list.interval.start.toISOString(),
    'X-Window-End': list.interval.end.toISOString(),
    'X-Computed-At': list.computedAt.toISOString(),
    'X-Window-Final': String(list.final),
  };
}

/** With movement=true: when the list compared with was computed (absent when there was none). */
export function previousHeaders(previous: PreviousList): Record<string, string> {
  return previous.computedAt ? { 'X-Previous-Computed-At': previous.computedAt.toISOString() } : {};
}
