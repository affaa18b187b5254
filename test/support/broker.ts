// A broker of the test's own, on its own port and data directory (scripts/kafka.sh), that the test may stop and
// start: the shared broker on 9092 stays up for everything else.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export class DedicatedBroker {
  constructor(
    readonly port: number,
    private readonly controllerPort = port + 1,
  ) {}

  get brokers(): string {
    return `127.0.0.1:${this.port}`;
  }

  start(): void {
    this.script('start');
  }

  stop(): void {
    this.script('stop');
  }

  private script(command: 'start' | 'stop'): void {
    const run = spawnSync('bash', [join(__dirname, '../../scripts/kafka.sh'), command], {
      env: { ...process.env, KAFKA_PORT: String(this.port), KAFKA_CONTROLLER_PORT: String(this.controllerPort), KAFKA_HEAP: '256m' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    if (run.status !== 0) throw new Error(`kafka.sh ${command} on port ${this.port} failed:\n${run.stdout}${run.stderr}`);
  }
}
