// Whether two systems agree on a top-K list. Each breaks ties its own way (Redis by member, descending; viewrank by
// video id, ascending), so videos tied at the last place may differ; nothing else may.
import { RankedVideo } from '../../src/top-k/ranking';

/** True when both lists rank the same counts, and the videos above the last place's count are the same. */
export function sameTop(a: RankedVideo[], b: RankedVideo[]): boolean {
  if (a.length !== b.length || a.some((e, i) => e.views !== b[i].views)) return false;
  const cut = a.at(-1)?.views ?? 0;
  const above = (list: RankedVideo[]) =>
    JSON.stringify(
      list
        .filter((e) => e.views > cut)
        .map((e) => `${e.videoId}:${e.views}`)
        .sort(),
    );
  return above(a) === above(b);
}
