import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { PrecomputeService } from '../top-k/precompute.service';
import { TopKSnapshot } from '../top-k/snapshot';
import { availability } from '../top-k/staleness';
import { PreviousListsService } from '../top-k/previous-lists.service';
import { topKBody, topKMovementBody } from '../top-k/top-k.body';
import { currentListHeaders, previousHeaders } from '../top-k/top-k.headers';
import { WindowName } from '../top-k/windows';
import { listEventData, SSE_HEARTBEAT, sseEvent } from './sse';

/** Where a client's events go: the HTTP response, or a fake in unit tests. */
export interface StreamOutput {
  write(chunk: string): boolean;
  /** Bytes queued in the process, not yet taken by the socket: what a slow client leaves behind. */
  readonly writableLength: number;
  end(): void;
  destroy(): void;
}

export interface StreamClient {
  window: WindowName;
  k: number;
  /** Each entry with its previousRank (movement=true). */
  movement?: boolean;
  /** Waiting for the list to compare with, then sends the window's newest list. */
  awaitingPrevious?: boolean;
  out: StreamOutput;
  /** The body and window start last sent, so that only a change is sent. */
  lastBody?: string;
  lastStart?: number;
}

/** Bytes a client may leave unread before it is dropped: about 25 lists of 1000. */
export const SLOW_CLIENT_BYTES = 1_048_576;

/**
 * A comment line this often on every stream (was STREAM_HEARTBEAT_MS): well inside the 30–120 s idle timeouts of
 * common proxies and load balancers (nginx 60 s, AWS ALB 60 s), so an idle stream is never cut.
 */
export const STREAM_HEARTBEAT_MS = 15_000;

/**
 * The clients of GET /views/top-k/stream. Each published list goes to the clients of its window whose first k entries
 * changed (or whose window moved on): the same body and headers as the GET, as one event. Idle clients get a heartbeat.
 * A client that leaves more than SLOW_CLIENT_BYTES unread is dropped: the process never buffers without end.
 */
@Injectable()
export class TopKStreamHub implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger(TopKStreamHub.name);
  private readonly clients = new Set<StreamClient>();
  private unsubscribe?: () => void;
  private heartbeat?: NodeJS.Timeout;
  /** Clients dropped for reading too slowly, since start. */
  dropped = 0;

  constructor(
    private readonly precompute: PrecomputeService,
    private readonly previousLists: PreviousListsService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.precompute.onPublish((snapshot) => this.publish(snapshot));
    this.heartbeat = setInterval(() => this.beat(), STREAM_HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  /** Ends every stream before the server closes, which would otherwise wait on them. */
  beforeApplicationShutdown(): void {
    this.unsubscribe?.();
    clearInterval(this.heartbeat);
    for (const client of this.clients) client.out.end();
    this.clients.clear();
  }

  get size(): number {
    return this.clients.size;
  }

  /** Whether one more client may connect (STREAM_MAX_CLIENTS). */
  get full(): boolean {
    return this.clients.size >= this.config.stream.maxClients;
  }

  /** Adds a client and sends it the window's current list at once, if there is one to serve. */
  add(client: StreamClient): void {
    this.clients.add(client);
    const snapshot = this.precompute.snapshot(client.window);
    if (snapshot) this.send(client, snapshot);
  }

  remove(client: StreamClient): void {
    this.clients.delete(client);
  }

  private publish(snapshot: TopKSnapshot): void {
    for (const client of this.clients) if (client.window === snapshot.window) this.send(client, snapshot);
  }

  private send(client: StreamClient, snapshot: TopKSnapshot): void {
    const status = availability(snapshot, this.clock.now(), this.config);
    if (!status.serve) return;
    const previous = client.movement ? this.previousLists.get(snapshot.window, snapshot.interval) : undefined;
    if (client.movement && !previous) return this.sendOncePrevious(client);
    const body = previous ? topKMovementBody(snapshot.entries, previous, client.k) : topKBody(snapshot.entries, client.k);
    const start = snapshot.interval?.start.getTime();
    if (body === client.lastBody && start === client.lastStart) return;
    client.lastBody = body;
    client.lastStart = start;
    const headers = previous
      ? { ...currentListHeaders(snapshot, status), ...previousHeaders(previous) }
      : currentListHeaders(snapshot, status);
    this.write(client, sseEvent('top-k', snapshot.computedAt.toISOString(), listEventData(headers, body)));
  }

  /** Sends the window's newest list once the list to compare it with has been loaded (an idle list publishes nothing new). */
  private sendOncePrevious(client: StreamClient): void {
    if (client.awaitingPrevious) return;
    client.awaitingPrevious = true;
    const snapshot = this.precompute.snapshot(client.window);
    void this.previousLists
      .ready(client.window, snapshot?.interval)
      .catch(() => undefined)
      .then(() => {
        client.awaitingPrevious = false;
        const newest = this.precompute.snapshot(client.window);
        if (this.clients.has(client) && newest && this.previousLists.get(newest.window, newest.interval)) this.send(client, newest);
      });
  }

  private beat(): void {
    for (const client of this.clients) this.write(client, SSE_HEARTBEAT);
  }

  private write(client: StreamClient, chunk: string): void {
    client.out.write(chunk);
    if (client.out.writableLength > SLOW_CLIENT_BYTES) {
      this.dropped++;
      this.clients.delete(client);
      client.out.destroy();
      this.logger.debug(`dropped a ${client.window} stream that left ${client.out.writableLength} bytes unread`);
    }
  }
}
