-- Top K videos of one tumbling period (hour, day or month) from that grain's table, where a period is one key range.
-- table and period are chosen by the service from a fixed map (src/top-k/top-k.repository.ts), never from input.
-- Ties are broken by video_id ascending (byte order), so every instance returns the same list.
SELECT video_id, sum(views) AS views
FROM {db:Identifier}.{table:Identifier}
WHERE {period:Identifier} = {start:DateTime('UTC')}
GROUP BY video_id
ORDER BY views DESC, video_id ASC
LIMIT {k:UInt32}
