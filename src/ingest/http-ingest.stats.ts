import { Injectable } from '@nestjs/common';

/** What POST /views has done since the process started, counted by ViewsController for whoever reports it. */
@Injectable()
export class HttpIngestStats {
  /** Views accepted (acknowledged by Kafka). */
  views = 0;
  /** Batches Kafka did not acknowledge (answered 503). */
  failures = 0;
}
