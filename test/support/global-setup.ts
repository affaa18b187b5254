// Integration tests run against a real Kafka broker and a real ZooKeeper (where embedded ClickHouse keeps the Kafka
// engine's offsets): start both (idempotent) before any test file.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export default function globalSetup(): void {
  execFileSync('bash', [join(__dirname, '../../scripts/kafka.sh'), 'start'], { stdio: 'inherit' });
  execFileSync('bash', [join(__dirname, '../../scripts/zookeeper.sh'), 'start'], { stdio: 'inherit' });
}
