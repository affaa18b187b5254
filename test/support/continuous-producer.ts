// Produces views without pause while a test breaks things, and remembers which ones Kafka acknowledged.
import { Kafka, logLevel, Producer } from 'kafkajs';

export class ContinuousProducer {
  /** Views per video that Kafka acknowledged (acks = all in-sync replicas). */
  readonly acknowledged = new Map<string, number>();
  /** Views per video whose send failed: maybe written, maybe not. */
  readonly uncertain = new Map<string, number>();
  sentMessages = 0;
  failedSends = 0;
  private producer?: Producer;
  private running?: Promise<void>;
  private stopping = false;

  constructor(
    private readonly brokers: string,
    private readonly topic: string,
    private readonly rowsPerMessage = 20,
    private readonly everyMs = 50,
    private readonly videos = 300,
  ) {}

  get acknowledgedTotal(): number {
    return [...this.acknowledged.values()].reduce((a, b) => a + b, 0);
  }

  get uncertainTotal(): number {
    return [...this.uncertain.values()].reduce((a, b) => a + b, 0);
  }

  start(): void {
    const kafka = new Kafka({
      clientId: 'viewrank-fault-test',
      brokers: [this.brokers],
      logLevel: logLevel.NOTHING,
      retry: { retries: 2, initialRetryTime: 100 },
    });
    this.producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
    await this.producer?.disconnect().catch(() => undefined);
  }

  private async loop(): Promise<void> {
    let n = 0;
    let connected = false;
    while (!this.stopping) {
      const rows = Array.from({ length: this.rowsPerMessage }, () => `v${(n++ * 7919) % this.videos}`);
      try {
        if (!connected) {
          await this.producer!.connect();
          connected = true;
        }
        await this.producer!.send({
          topic: this.topic,
          acks: -1,
          timeout: 3000,
          messages: [{ value: rows.map((id) => JSON.stringify({ video_id: id, ts: Date.now() })).join('\n') }],
        });
        this.sentMessages++;
        for (const id of rows) this.acknowledged.set(id, (this.acknowledged.get(id) ?? 0) + 1);
      } catch {
        this.failedSends++;
        for (const id of rows) this.uncertain.set(id, (this.uncertain.get(id) ?? 0) + 1);
      }
      await new Promise((r) => setTimeout(r, this.everyMs));
    }
  }
}
