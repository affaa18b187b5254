-- The holder's heartbeat, stamped by ClickHouse's clock: a lock without one for the lease is broken.
INSERT INTO {db:Identifier}.schema_lock (holder) VALUES ({holder:String})
