import fc from 'fast-check';
import { topK } from '../../src/top-k/ranking';
import { mergeShardLists } from './shard-merge';

/** Views as video ids, one per view, over a small catalogue so that counts tie and lists have a contested boundary. */
const views = fc.array(
  fc.integer({ min: 0, max: 60 }).map((n) => `v${n}`),
  { maxLength: 400 },
);
const recount = (ids: string[], k: number) => {
  const counts = new Map<string, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return topK(counts, k);
};
/** Each shard's own top k over the views it received. */
const shardLists = (ids: string[], shardOfView: (id: string, index: number) => number, shards: number, k: number) =>
  Array.from({ length: shards }, (_, shard) =>
    recount(
      ids.filter((id, i) => shardOfView(id, i) === shard),
      k,
    ),
  );

describe(mergeShardLists.name, () => {
  it('equals the global recount when shards are chosen by the video id (any function of it), ties included', () => {
    fc.assert(
      fc.property(views, fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 20 }), fc.func(fc.nat()), (ids, shards, k, hash) => {
        const shardOf = (id: string) => hash(id) % shards;
        expect(mergeShardLists(shardLists(ids, shardOf, shards, k), k)).toEqual(recount(ids, k));
      }),
      { numRuns: 2000 },
    );
  });

  it('is wrong when shards are chosen by anything else (here, the view), which is why cluster mode shards by video', () => {
    const byView = fc.check(
      fc.property(views, fc.integer({ min: 2, max: 6 }), fc.integer({ min: 1, max: 20 }), fc.func(fc.nat()), (ids, shards, k, hash) => {
        const shardOfView = (_id: string, index: number) => hash(index) % shards;
        expect(mergeShardLists(shardLists(ids, shardOfView, shards, k), k)).toEqual(recount(ids, k));
      }),
      { numRuns: 2000, seed: 20 },
    );
    expect(byView.failed).toBe(true);
    // The smallest case: a video whose views are split falls out of a shard's list and is undercounted in the merge.
    const minimal = recount(['a', 'a', 'b', 'b', 'c'], 1);
    const split = mergeShardLists([recount(['a', 'b', 'b'], 1), recount(['a', 'c'], 1)], 1);
    expect(minimal).toEqual([{ videoId: 'a', views: 2 }]);
    expect(split).toEqual([{ videoId: 'b', views: 2 }]);
  });
});
