import { sameTop } from './compare';

const list = (...pairs: [string, number][]) => pairs.map(([videoId, views]) => ({ videoId, views }));

describe('sameTop', () => {
  it('accepts the same list, and a different choice among videos tied at the last place', () => {
    expect(sameTop(list(['a', 9], ['b', 5], ['c', 3]), list(['a', 9], ['b', 5], ['c', 3]))).toBe(true);
    expect(sameTop(list(['a', 9], ['b', 3], ['c', 3]), list(['a', 9], ['d', 3], ['b', 3]))).toBe(true);
    expect(sameTop([], [])).toBe(true);
  });

  it('rejects other counts, other lengths, and another video above the last place', () => {
    expect(sameTop(list(['a', 9], ['b', 5]), list(['a', 9], ['b', 4]))).toBe(false);
    expect(sameTop(list(['a', 9], ['b', 5]), list(['a', 9]))).toBe(false);
    expect(sameTop(list(['a', 9], ['b', 5], ['c', 3]), list(['a', 9], ['x', 5], ['c', 3]))).toBe(false);
    expect(sameTop(list(['a', 9], ['b', 5], ['c', 3]), list(['b', 9], ['a', 5], ['c', 3]))).toBe(false);
  });
});
