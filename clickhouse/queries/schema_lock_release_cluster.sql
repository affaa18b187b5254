-- Releases the schema lock of a cluster on every node, or breaks one whose holder died.
DROP TABLE IF EXISTS {db:Identifier}.schema_lock ON CLUSTER '{cluster}' SYNC
