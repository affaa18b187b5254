-- How many recent inserted blocks each table fed by the Kafka engine remembers, to drop a block inserted again:
-- 1000 with INGEST_GUARANTEE=exactly-once, 0 (off) with at-least-once. Set before the queue's view is created.
-- A block's identity comes from the block the engine inserted (its rows carry their partition and offset into
-- views_parsed): a replay of the same messages is dropped in every table below; two different batches whose views
-- happen to sum to the same rows (same video, same minute, same count) are both kept. The hour, day, month and
-- all-time tables are not here: the service's rollup writes them, always deduplicated (migration 0017).
ALTER TABLE {db:Identifier}.views_by_minute MODIFY SETTING non_replicated_deduplication_window = {window:UInt64};
ALTER TABLE {db:Identifier}.views_recent MODIFY SETTING non_replicated_deduplication_window = {window:UInt64};
ALTER TABLE {db:Identifier}.views_dead_letter MODIFY SETTING non_replicated_deduplication_window = {window:UInt64};
ALTER TABLE {db:Identifier}.ingest_counts MODIFY SETTING non_replicated_deduplication_window = {window:UInt64};
ALTER TABLE {db:Identifier}.ingested_offsets MODIFY SETTING non_replicated_deduplication_window = {window:UInt64};
