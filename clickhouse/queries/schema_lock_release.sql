-- Releases the schema lock, or breaks one whose holder died.
DROP TABLE IF EXISTS {db:Identifier}.schema_lock SYNC
