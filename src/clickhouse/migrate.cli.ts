// `npm run migrate`: applies the migrations to the configured ClickHouse and exits.
import { loadConfig } from '../config/app-config';
import { ensureTopic } from '../ingest/kafka-topic';
import { ClickHouseService } from './clickhouse.service';
import { runMigrations } from './migrations';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  // The topic first: the Kafka engine table must not subscribe to a topic whose partitions are still appearing.
  await ensureTopic(config.kafka).catch((error) => console.warn(`Kafka unreachable, topic not checked: ${(error as Error).message}`));
  const clickhouse = new ClickHouseService(config);
  try {
    const { applied, skipped } = await runMigrations(clickhouse, config);
    console.log(`applied: ${applied.join(', ') || 'none'}; already in place: ${skipped.join(', ') || 'none'}`);
  } finally {
    await clickhouse.onApplicationShutdown();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
