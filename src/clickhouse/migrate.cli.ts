// `npm run migrate`: applies the migrations to the configured ClickHouse and exits. The views topic and the Kafka
// engine table that reads it are the service's to create, at each start (src/ingest/ingest-setup.service.ts).
import { loadConfig } from '../config/app-config';
import { ClickHouseService } from './clickhouse.service';
import { runMigrations } from './migrations';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
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
