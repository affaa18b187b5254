-- Records a rollup's intent (run with insert_deduplication_token 'rollup-intent:<done>': of two instances intending
-- the rollup after the same one, the first is kept and the second dropped, so both then run the same) or that it is
-- done.
INSERT INTO {db:Identifier}.views_rollup (step, upto)
SELECT {step:String}, {upto:UInt64}
