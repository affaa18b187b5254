-- Views counted so far and dead letters kept: what ingestion has achieved, for logs and readiness checks.
SELECT
    (SELECT sum(views) FROM {db:Identifier}.views_total) AS views_counted,
    (SELECT count() FROM {db:Identifier}.views_dead_letter) AS dead_letters
