-- Stores the final list of a past window (src/top-k/final-list.repository.ts); videos[i] has views[i], in rank order.
INSERT INTO {db:Identifier}.topk_final (window, window_start, window_end, computed_at, videos, views)
VALUES ({window:String}, {start:DateTime('UTC')}, {end:DateTime('UTC')}, {computed_at:DateTime64(3, 'UTC')},
        {videos:Array(String)}, {views:Array(UInt64)})
