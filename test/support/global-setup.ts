// Integration tests run against a real Kafka broker: start it (idempotent) before any test file.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export default function globalSetup(): void {
  execFileSync('bash', [join(__dirname, '../../scripts/kafka.sh'), 'start'], { stdio: 'inherit' });
}
