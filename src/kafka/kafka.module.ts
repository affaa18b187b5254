import { Module } from '@nestjs/common';
import { ViewProducer } from './view-producer.service';

/**
 * Kafka, for the rest of the service: the views topic's set-up and offsets (kafka-topic.ts, plain functions on an
 * admin connection each) and the producer of HTTP-ingested views. Depends on configuration only.
 */
@Module({ providers: [ViewProducer], exports: [ViewProducer] })
export class KafkaModule {}
