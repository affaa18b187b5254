-- Analyst-priority benchmark (bench/analyst-priority.ts): a CPU-bound analyst query on every thread it is allowed,
-- ended cleanly by its time limit (timeout_overflow_mode = 'break'), run again and again beside the service's work.
SELECT count() FROM numbers_mt(1000000000000) WHERE cityHash64(number) % 11 = 5
