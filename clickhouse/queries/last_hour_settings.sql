-- The late tolerance this database's last-hour view was created with (migration 0012).
SELECT max(late_tolerance_ms) AS late_tolerance_ms FROM {db:Identifier}.last_hour_settings
