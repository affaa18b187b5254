-- Drops one of views_recent's partitions that rollup_expired.sql found (its id as system.parts gives it).
ALTER TABLE {db:Identifier}.views_recent DROP PARTITION ID {partition:String}
