// The rollup of views_recent into the grains (migration 0017), as a plan: pure, the repository runs it. A rollup covers
// the views_recent blocks (done, upto]: recorded as an intent first, then inserted with a token naming that range,
// then recorded done. Whatever stopped it (a crash, a failed insert), the next one runs the same range again and each
// table drops what it already has.

/** What views_rollup says: the newest intent and the newest done (block numbers; 0 when none). */
export interface RollupState {
  intent: number;
  done: number;
}

/** A range of views_recent blocks to roll up, (from, upto]. */
export interface RollupRange {
  from: number;
  upto: number;
}

/** The rollup under way or cut short, if any: an intent above done. */
export function pendingRange(state: RollupState): RollupRange | undefined {
  return state.intent > state.done ? { from: state.done, upto: state.intent } : undefined;
}

/** The range to intend next, given the newest block views_recent holds; undefined when nothing arrived since done. */
export function nextRange(state: RollupState, newestBlock: number): RollupRange | undefined {
  return newestBlock > state.done ? { from: state.done, upto: newestBlock } : undefined;
}

/**
 * The intent's deduplication token: it names the rollup it follows, so of two instances intending a rollup after the
 * same one, ClickHouse keeps the first intent and drops the second, and both then run the one kept.
 */
export const intentToken = (from: number) => `rollup-intent:${from}`;

/** The done record's deduplication token: a repeat of the record is dropped, and no other insert with it. */
export const doneToken = (upto: number) => `rollup-done:${upto}`;

/** The insert's deduplication token: the range it covers, so a repeat of it is dropped by every table it reaches. */
export const applyToken = ({ from, upto }: RollupRange) => `rollup:${from}:${upto}`;
