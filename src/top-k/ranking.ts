// Ranking order shared by every window: views descending, then video id ascending in byte order
// (the order ClickHouse sorts String in), so equal counts always come out the same way.

export interface RankedVideo {
  videoId: string;
  views: number;
}

/** Compares video ids by their UTF-8 bytes, as ClickHouse compares String values. */
export function compareVideoIds(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
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
