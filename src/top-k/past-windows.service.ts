import { Inject, Injectable, Logger } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { Clock } from '../clock/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { RollupService } from '../rollup/rollup.service';
import { FinalListRepository, PastList } from './final-list.repository';
import { settleFinal } from './finality';
import { IngestWatermark } from './ingest-watermark';
import { TopKRepository } from './top-k.repository';
import { Interval, MAX_K, TumblingWindow } from './windows';

/** More past windows are being computed than PAST_WINDOW_QUEUE allows: the request should come back later. */
export class PastWindowsBusy extends Error {}

/**
 * Past windows computing or waiting at once (was PAST_WINDOW_QUEUE); a request for one more gets 429 with Retry-After.
 * They are computed one at a time, each a scan of a period's rows: eight queued is several seconds of waiting
 * already, and a client told to retry in a second loses less than one kept waiting behind a burst.
 */
export const PAST_WINDOW_QUEUE = 8;

/**
 * The lists of past hours, days and months (GET /views/top-k?at=…). A final window is read from topk_final, or
 * computed and stored there the first time, then kept in a small LRU: it is served byte-identical from then on. A
 * window closed too recently to be final is computed again at most once per refresh period. Computations run one at a
 * time, one per window however many ask for it, and at most PAST_WINDOW_QUEUE windows wait: the refresh and
 * ingestion keep the engine, whatever the burst.
 */
@Injectable()
export class PastWindowsService {
  private readonly logger = new Logger(PastWindowsService.name);
  private readonly cache: LRUCache<string, PastList>;
  private readonly pending = new Map<string, Promise<PastList>>();
  /** Requests refused since start because the queue was full: for /metrics. */
  refused = 0;
  /** The tail of the one-at-a-time chain of computations. */
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly repository: TopKRepository,
    private readonly finalLists: FinalListRepository,
    private readonly watermark: IngestWatermark,
    private readonly rollup: RollupService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.cache = new LRUCache({ max: config.pastWindows.cache });
  }

  /** Windows being computed or waiting: for /metrics. */
  get queued(): number {
    return this.pending.size;
  }

  /** The list of the past window `interval` of `window`, which may be final from `finalFrom`. */
  list(window: TumblingWindow, interval: Interval, finalFrom: Date): Promise<PastList> {
    const key = `${window}/${interval.start.toISOString()}`;
    const cached = this.cache.get(key);
    if (cached && (cached.final || this.clock.now().getTime() - cached.computedAt.getTime() < this.recomputeAfterMs())) {
      return Promise.resolve(cached);
    }
    const running = this.pending.get(key);
    if (running) return running;
    if (this.pending.size >= PAST_WINDOW_QUEUE) {
      this.refused++;
      return Promise.reject(new PastWindowsBusy(`${this.pending.size} past windows are being computed; retry in a second`));
    }
    const computed = this.chain
      .then(() => this.compute(window, interval, finalFrom))
      .then((list) => {
        this.cache.set(key, list);
        return list;
      })
      .finally(() => this.pending.delete(key));
    this.chain = computed.catch(() => undefined);
    this.pending.set(key, computed);
    return computed;
  }

  private recomputeAfterMs(): number {
    return Math.max(1000, this.config.refreshIntervalMs);
  }

  private async compute(window: TumblingWindow, interval: Interval, finalFrom: Date): Promise<PastList> {
    const now = this.clock.now();
    const mayBeFinal = now.getTime() >= finalFrom.getTime();
    if (mayBeFinal) {
      const stored = await this.finalLists.read(window, interval);
      if (stored) return stored;
    }
    const final = mayBeFinal && (await settleFinal(finalFrom.getTime(), now, this.watermark, this.rollup));
    const entries = await this.repository.top({ window, interval }, MAX_K);
    const list: PastList = { window, interval, computedAt: now, entries, final };
    if (!final) return list;
    await this.finalLists.save(list);
    // Another instance may have stored one first: serve the earliest, as every instance does.
    const earliest = await this.finalLists.read(window, interval);
    this.logger.debug(`stored the final ${window} list of ${interval.start.toISOString()} (${entries.length} videos)`);
    return earliest ?? list;
  }
}
