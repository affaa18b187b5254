-- Records a step in the ledger, with the minute's frozen total and, on subtract, the views it set aside as too late.
INSERT INTO {db:Identifier}.last_hour_ledger (minute, step, views, late_views)
WITH
    (SELECT sum(views) FROM {db:Identifier}.last_hour_minutes WHERE minute = {minute:DateTime('UTC')}) AS frozen,
    (SELECT sum(views) FROM {db:Identifier}.views_by_minute WHERE minute = {minute:DateTime('UTC')}) AS counted
SELECT
    {minute:DateTime('UTC')},
    {step:String},
    frozen,
    if({step:String} = 'subtract' AND counted > frozen, counted - frozen, 0)
