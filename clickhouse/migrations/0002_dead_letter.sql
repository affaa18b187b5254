-- Dead letters: every Kafka message or row that could not be counted, with where it came from and why.
-- Operators inspect it with plain SELECTs; nothing here is ever counted as a view.
CREATE TABLE IF NOT EXISTS {db:Identifier}.views_dead_letter
(
    received_at DateTime64(3, 'UTC') COMMENT 'when ClickHouse read the message',
    topic       LowCardinality(String),
    partition   UInt64,
    offset      UInt64,
    error       String COMMENT 'parser error, or which field failed validation',
    raw_message String COMMENT 'the raw Kafka payload for unparseable messages; the row as JSON for invalid rows'
)
ENGINE = MergeTree
PARTITION BY toYYYYMMDD(received_at)
ORDER BY (received_at, topic, partition, offset)
TTL toDateTime(received_at) + INTERVAL {dead_letter_retention_days:UInt32} DAY
SETTINGS ttl_only_drop_parts = 1;
