-- Views left out of last-hour because they arrived after their minute had closed (counted in every other window).
SELECT sum(late_views) AS late_views
FROM (SELECT minute, max(late_views) AS late_views FROM {db:Identifier}.last_hour_ledger WHERE step = 'subtract' GROUP BY minute)
