-- Dead letters for operators (GET /dead-letters): newest first, optionally since an instant and by error text.
SELECT received_at, topic, partition, offset, error, raw_message
FROM {db:Identifier}.views_dead_letter AS letter
WHERE letter.received_at >= {since:DateTime64(3, 'UTC')}
  AND position(letter.error, {error_contains:String}) > 0
ORDER BY letter.received_at DESC, letter.partition, letter.offset
LIMIT {limit:UInt32}
