import fc from 'fast-check';
import { compareRanked, compareVideoIds, isRanked, topK } from './ranking';

describe(compareVideoIds.name, () => {
  it('orders by UTF-8 bytes, as ClickHouse orders String', () => {
    // Here UTF-16 order and byte order disagree: U+E000 (EE 80 80) < U+1F600 (F0 ...) in bytes, but 0xE000 > 0xD83D in UTF-16.
    expect(compareVideoIds('\uE000', '\u{1F600}')).toBeLessThan(0);
    expect('\uE000' < '\u{1F600}').toBe(false);
    expect(compareVideoIds('B', 'a')).toBeLessThan(0);
    expect(compareVideoIds('v10', 'v9')).toBeLessThan(0);
    expect(compareVideoIds('x', 'x')).toBe(0);
    expect(compareVideoIds('ab', 'abc')).toBeLessThan(0);
  });

  it('agrees in sign with comparing the encoded bytes, for any ids (ASCII, the BMP, astral planes)', () => {
    const id = fc.string({
      unit: fc.oneof(fc.constantFrom('a', 'b', '\uE000', '\uFFFD', '\u00E9'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })),
      maxLength: 6,
    });
    fc.assert(
      fc.property(id, id, (a, b) => {
        expect(Math.sign(compareVideoIds(a, b))).toBe(Math.sign(Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))));
      }),
      { numRuns: 5000 },
    );
  });
});

describe(topK.name, () => {
  it('ranks by views descending, ties by video id ascending', () => {
    const counts: [string, number][] = [
      ['b', 5],
      ['a', 5],
      ['c', 9],
      ['d', 1],
    ];
    expect(topK(counts, 3)).toEqual([
      { videoId: 'c', views: 9 },
      { videoId: 'a', views: 5 },
      { videoId: 'b', views: 5 },
    ]);
  });

  it('leaves out videos with no views', () => {
    expect(
      topK(
        [
          ['a', 0],
          ['b', 2],
        ],
        10,
      ),
    ).toEqual([{ videoId: 'b', views: 2 }]);
  });

  it('returns a strictly ranked prefix that no left-out video beats', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 4 }), fc.nat(5)), fc.integer({ min: 1, max: 20 }), (dict, k) => {
        const counts = Object.entries(dict);
        const top = topK(counts, k);
        expect(isRanked(top)).toBe(true);
        expect(top.length).toBe(Math.min(k, counts.filter(([, v]) => v > 0).length));
        const chosen = new Set(top.map((e) => e.videoId));
        const last = top[top.length - 1];
        for (const [videoId, views] of counts) {
          if (!chosen.has(videoId) && views > 0 && last) expect(compareRanked(last, { videoId, views })).toBeLessThan(0);
        }
      }),
    );
  });
});

describe(isRanked.name, () => {
  it('rejects a misplaced tie and a duplicate', () => {
    expect(
      isRanked([
        { videoId: 'b', views: 2 },
        { videoId: 'a', views: 2 },
      ]),
    ).toBe(false);
    expect(
      isRanked([
        { videoId: 'a', views: 2 },
        { videoId: 'a', views: 2 },
      ]),
    ).toBe(false);
    expect(
      isRanked([
        { videoId: 'a', views: 2 },
        { videoId: 'b', views: 2 },
        { videoId: 'a', views: 1 },
      ]),
    ).toBe(true);
  });
});
