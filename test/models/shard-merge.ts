// The merge cluster mode rests on (docs/cluster.md), as a pure model so that its exactness is tested: each shard
// ranks its own videos, and the initiator merges the shards' top-K lists, as a Distributed query with
// optimize_distributed_group_by_sharding_key does (src/clickhouse/cluster.ts). The merge is exact only when every view of a video
// lands on one shard: sharding by a function of the video id (cityHash64(video_id)), never by anything else.
// shard-merge.spec.ts shows both.
import { compareRanked, RankedVideo } from '../../src/top-k/ranking';

/** The top k of the union of the shards' lists, a video's entries summed (the final GROUP BY), in ranking order. */
export function mergeShardLists(lists: readonly (readonly RankedVideo[])[], k: number): RankedVideo[] {
  const views = new Map<string, number>();
  for (const list of lists) for (const { videoId, views: n } of list) views.set(videoId, (views.get(videoId) ?? 0) + n);
  return [...views]
    .map(([videoId, n]) => ({ videoId, views: n }))
    .sort(compareRanked)
    .slice(0, k);
}
