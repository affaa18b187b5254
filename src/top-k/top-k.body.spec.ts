import fc from 'fast-check';
import { topKBody } from './top-k.body';

describe('topKBody', () => {
  it('is JSON.stringify of the first k entries, for every k, any ids (quotes, backslashes, non-ASCII) and any list', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ videoId: fc.string({ unit: 'binary' }), views: fc.nat() }), { maxLength: 40 }),
        fc.integer({ min: 0, max: 50 }),
        (entries, k) => {
          expect(topKBody(entries, k)).toBe(JSON.stringify(entries.slice(0, k)));
          expect(topKBody(entries, k)).toBe(JSON.stringify(entries.slice(0, k))); // again, from the cache
        },
      ),
    );
  });

  it('serialises a list once: a later read reuses the text even if asked for another k', () => {
    const entries = [
      { videoId: 'a', views: 2 },
      { videoId: 'b', views: 1 },
    ];
    expect(topKBody(entries, 2)).toBe('[{"videoId":"a","views":2},{"videoId":"b","views":1}]');
    entries[0].views = 99; // published lists are never mutated; this only shows the cache is used
    expect(topKBody(entries, 1)).toBe('[{"videoId":"a","views":2}]');
  });
});
