// Ranking order shared by every window: views descending, then video id ascending in byte order
// (the order ClickHouse sorts String in), so equal counts always come out the same way.

export interface RankedVideo {
  videoId: string;
  views: number;
}

/**
 * Compares video ids by their UTF-8 bytes, as ClickHouse compares String values, without encoding them. UTF-8 byte
 * order is code point order, and UTF-16 (a JS string) differs from it only where one unit is a surrogate
 * (0xD800–0xDFFF, code points above 0xFFFF) and the other lies in 0xE000–0xFFFF; the first differing unit is mapped so
 * that surrogates sort above. (Encoding both ids with Buffer.from was the largest cost of an incremental refresh
 * under ingest: a merge compares ids thousands of times.)
 */
export function compareVideoIds(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointOrder(x) - codePointOrder(y);
  }
  return a.length - b.length;
}

function codePointOrder(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit < 0xe000 ? unit + 0x2000 : unit - 0x800;
}

export function compareRanked(a: RankedVideo, b: RankedVideo): number {
  return b.views - a.views || compareVideoIds(a.videoId, b.videoId);
}

/** The first k of a set of counts in ranking order. */
export function topK(counts: Iterable<[string, number]>, k: number): RankedVideo[] {
  const ranked: RankedVideo[] = [];
  for (const [videoId, views] of counts) if (views > 0) ranked.push({ videoId, views });
  return ranked.sort(compareRanked).slice(0, k);
}

/** True when the list is strictly in ranking order (no duplicates, no misplaced ties). */
export function isRanked(list: readonly RankedVideo[]): boolean {
  for (let i = 1; i < list.length; i++) if (compareRanked(list[i - 1], list[i]) >= 0) return false;
  return true;
}
