-- Analyst-priority benchmark (bench/analyst-priority.ts): the refresh's heaviest step, a full top 1000 of all time.
SELECT video_id, sum(views) AS views FROM {db:Identifier}.views_total GROUP BY video_id ORDER BY views DESC, video_id LIMIT 1000
