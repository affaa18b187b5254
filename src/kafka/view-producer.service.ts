import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Kafka, logLevel, Producer } from 'kafkajs';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';

/**
 * How long POST /views waits for Kafka's acknowledgement before answering 503 (was INGEST_ACK_TIMEOUT_MS): 10 s, the
 * client's retry being cheap (the batch is not taken unless acknowledged) and a broker that has not answered in 10 s
 * having failed over or being down; well inside the 30 s a client or proxy usually waits for an answer.
 */
export const INGEST_ACK_TIMEOUT_MS = 10_000;

/**
 * Produces HTTP-ingested views to the views topic. A send resolves only once every in-sync replica has the
 * messages (acks = -1); the producer is idempotent, so its own retries never write a message twice.
 */
@Injectable()
export class ViewProducer implements OnApplicationShutdown {
  private readonly logger = new Logger(ViewProducer.name);
  private producer?: Producer;
  private connecting?: Promise<Producer>;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async send(messages: string[]): Promise<void> {
    const producer = await this.connected();
    await producer.send({
      topic: this.config.kafka.topic,
      acks: -1,
      timeout: INGEST_ACK_TIMEOUT_MS,
      messages: messages.map((value) => ({ value })),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer?.disconnect().catch(() => undefined);
  }

  /** Connects on first use; a failed connection is forgotten, so the next request tries again. */
  private connected(): Promise<Producer> {
    this.connecting ??= (async () => {
      const kafka = new Kafka({
        clientId: 'viewrank-http-ingest',
        brokers: this.config.kafka.brokers,
        logLevel: logLevel.NOTHING,
        connectionTimeout: 3000,
        retry: { retries: 2, initialRetryTime: 200 },
      });
      const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
      await producer.connect();
      this.producer = producer;
      return producer;
    })().catch((error: Error) => {
      this.connecting = undefined;
      this.logger.warn(`cannot connect to Kafka at ${this.config.kafka.brokers.join(',')}: ${error.message}`);
      throw error;
    });
    return this.connecting;
  }
}
