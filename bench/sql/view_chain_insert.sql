-- View-chain benchmark (bench/view-chain.ts): one block of the source's rows into views_parsed, through every view
-- attached to it.
INSERT INTO {db:Identifier}.views_parsed
SELECT * FROM {db:Identifier}.chain_source WHERE offset >= {from:UInt64} AND offset < {to:UInt64}
