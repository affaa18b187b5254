-- Chain-designs benchmark (bench/chain-designs.ts): rows of the source into one design's parsed stream, each insert its
-- own deduplication token, as each Kafka block is its own.
INSERT INTO {db:Identifier}.{parsed:Identifier}
SETTINGS insert_deduplication_token = {token:String}
SELECT * FROM {db:Identifier}.chain_source WHERE offset >= {from:UInt64} AND offset < {to:UInt64}
