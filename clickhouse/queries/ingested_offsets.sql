-- Per partition of the views topic, the offset after the newest message whose rows ClickHouse has written.
SELECT partition, max(next_offset) AS next_offset
FROM {db:Identifier}.ingested_offsets
GROUP BY partition
