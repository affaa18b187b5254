-- Where the rollup of views_recent into views_by_hour stands (views_rollup, migration 0017): the newest intent and the
-- newest rollup done, as views_recent block numbers (0 when none). An intent above done is a rollup under way, or cut
-- short by a crash: the next one runs it again.
SELECT
    toString(maxIf(upto, step = 'intent')) AS intent,
    toString(maxIf(upto, step = 'done')) AS done
FROM {db:Identifier}.views_rollup
