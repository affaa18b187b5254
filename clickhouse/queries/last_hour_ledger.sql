-- Steps recorded for each minute since a point in time (duplicates from concurrent schedulers fold together).
SELECT minute, groupUniqArray(toString(step)) AS steps
FROM {db:Identifier}.last_hour_ledger
WHERE minute >= {since:DateTime('UTC')}
GROUP BY minute
ORDER BY minute
