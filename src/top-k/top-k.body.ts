// The JSON bodies of GET /views/top-k. A list is serialised once, when first read after a refresh published it, and
// every k is then a prefix of that text: a read costs no serialisation, whatever k is, and the cache holds one text
// per list (not one per k). The bytes are exactly JSON.stringify(entries.slice(0, k)), what Fastify would send.
import { PreviousList, withPreviousRank } from './movement';
import { RankedVideo } from './ranking';

interface SerialisedList {
  text: string;
  /** ends[i]: the length of the text up to and including entry i (without the closing bracket). */
  ends: number[];
}

const cache = new WeakMap<readonly RankedVideo[], SerialisedList>();
/** With movement: one text per list and the previous list it was compared with (the newest). */
const withMovement = new WeakMap<readonly RankedVideo[], { previous: PreviousList; list: SerialisedList }>();

function serialise<T>(entries: readonly T[]): SerialisedList {
  const ends: number[] = [];
  let text = '[';
  entries.forEach((entry, i) => {
    text += (i > 0 ? ',' : '') + JSON.stringify(entry);
    ends.push(text.length);
  });
  return { text: text + ']', ends };
}

function prefix(list: SerialisedList, k: number): string {
  if (k <= 0 || list.ends.length === 0) return '[]';
  return k >= list.ends.length ? list.text : `${list.text.slice(0, list.ends[k - 1])}]`;
}

/** The body for the first k entries of a published list (the list is never mutated once published). */
export function topKBody(entries: readonly RankedVideo[], k: number): string {
  let list = cache.get(entries);
  if (!list) {
    list = serialise(entries);
    cache.set(entries, list);
  }
  return prefix(list, k);
}

/** The same with each entry's previousRank in `previous` (movement=true), serialised once per list and previous list. */
export function topKMovementBody(entries: readonly RankedVideo[], previous: PreviousList, k: number): string {
  let kept = withMovement.get(entries);
  if (kept?.previous !== previous) {
    kept = { previous, list: serialise(entries.map((entry) => withPreviousRank(entry, previous))) };
    withMovement.set(entries, kept);
  }
  return prefix(kept.list, k);
}
