-- Storage benchmark: rows and bytes on disk of each table of {db}, active parts only (after OPTIMIZE ... FINAL).
SELECT
    table,
    sum(rows) AS rows,
    sum(bytes_on_disk) AS bytes_on_disk,
    sum(data_uncompressed_bytes) AS uncompressed_bytes
FROM system.parts
WHERE database = {db:String} AND active
GROUP BY table
ORDER BY table
