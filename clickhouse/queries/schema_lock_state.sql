-- The schema lock as it stands, by ClickHouse's clock: its newest holder and heartbeat (NULL before the first), and
-- when the table was created. No row once the lock is gone.
SELECT
    (SELECT argMax(holder, beat) FROM {db:Identifier}.schema_lock) AS holder,
    (SELECT if(count() = 0, NULL, toUnixTimestamp64Milli(max(beat))) FROM {db:Identifier}.schema_lock) AS last_beat,
    toUnixTimestamp(metadata_modification_time) * 1000 AS created,
    toUnixTimestamp64Milli(now64(3)) AS now
FROM system.tables
WHERE database = {db:String} AND name = 'schema_lock'
