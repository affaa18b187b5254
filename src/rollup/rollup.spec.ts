import { applyToken, doneToken, intentToken, nextRange, pendingRange } from './rollup';

describe('the rollup plan', () => {
  it('runs again an intent above done (a rollup cut short), and nothing when done caught up with it', () => {
    expect(pendingRange({ intent: 12, done: 7 })).toEqual({ from: 7, upto: 12 });
    expect(pendingRange({ intent: 12, done: 12 })).toBeUndefined();
    expect(pendingRange({ intent: 0, done: 0 })).toBeUndefined();
  });

  it('intends the blocks that arrived after done, up to the newest', () => {
    expect(nextRange({ intent: 7, done: 7 }, 9)).toEqual({ from: 7, upto: 9 });
    expect(nextRange({ intent: 7, done: 7 }, 7)).toBeUndefined();
    expect(nextRange({ intent: 0, done: 0 }, 0)).toBeUndefined();
    // A migration's starting point above every block (all rows already in the grains): nothing to do.
    expect(nextRange({ intent: 0, done: 30 }, 12)).toBeUndefined();
  });

  it('names each range in its insert token, and each intent by the rollup it follows', () => {
    expect(applyToken({ from: 7, upto: 12 })).toBe('rollup:7:12');
    expect(applyToken({ from: 7, upto: 13 })).not.toBe(applyToken({ from: 7, upto: 12 }));
    expect(intentToken(7)).toBe('rollup-intent:7');
    expect(doneToken(12)).toBe('rollup-done:12');
  });
});
