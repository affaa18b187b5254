-- Dead letters for operators (GET /dead-letters): newest first, optionally since an instant and by error text, one
-- page at a time. Bounded by bytes as well as rows: payloads are cut to a preview, and a page ends once its previews
-- pass page_bytes (it always holds at least one letter). The page continues after the cursor (the key of the last
-- letter of the previous page); inner_rows > the letters returned means there is a next page.
SELECT received_at, topic, partition, offset, error, raw_preview AS raw_message, raw_bytes, inner_rows
FROM
(
    SELECT *,
        row_number() OVER w AS rn,
        sum(length(raw_preview) + length(error)) OVER w AS running_bytes,
        count() OVER () AS inner_rows
    FROM
    (
        SELECT received_at, topic, partition, offset, error,
            leftUTF8(raw_message, {preview_chars:UInt32}) AS raw_preview,
            length(raw_message) AS raw_bytes
        FROM {db:Identifier}.views_dead_letter AS letter
        WHERE letter.received_at >= {since:DateTime64(3, 'UTC')}
          AND position(letter.error, {error_contains:String}) > 0
          AND (letter.received_at, letter.topic, letter.partition, letter.offset)
              < ({after_received_at:DateTime64(3, 'UTC')}, {after_topic:String}, {after_partition:UInt64}, {after_offset:UInt64})
        ORDER BY letter.received_at DESC, letter.topic DESC, letter.partition DESC, letter.offset DESC
        LIMIT {limit_plus_one:UInt32}
    )
    WINDOW w AS (ORDER BY received_at DESC, topic DESC, partition DESC, offset DESC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
)
WHERE rn <= {limit:UInt32} AND (rn = 1 OR running_bytes <= {page_bytes:UInt32})
ORDER BY received_at DESC, topic DESC, partition DESC, offset DESC
