import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { Clock } from '../clock/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { MINUTE_MS } from '../top-k/last-hour';
import { PrecomputeService } from '../top-k/precompute.service';
import { availability } from '../top-k/staleness';
import { Interval, WINDOW_SPECS, WindowName, WINDOWS } from '../top-k/windows';
import { VideoViews, videoViews } from './video-views';
import { LookupBatches } from './lookup-batches';
import { VideoViewsRepository } from './video-views.repository';

/** Videos whose answers are kept for a refresh period: a page's view counter asks for the same few videos again and again. */
export const VIDEO_ANSWERS_KEPT = 10_000;

/**
 * Most videos one lookup takes: new videos asked for while a lookup runs are looked up together in the next one
 * (LookupBatches), so ten connections asking for ten new videos cost about one lookup, not ten in a row.
 */
export const VIDEOS_PER_LOOKUP = 100;

/**
 * How many refresh periods old a kept answer may be while a newer one is looked up behind it. Under ingest a lookup
 * can take over a second on two cores (docs/performance.md), longer than one period.
 */
export const SERVED_WHILE_RENEWING_PERIODS = 5;

/** An answer kept for a video: when its lookup started, and whether a newer one is being looked up. */
interface Kept {
  at: number;
  answer: Promise<VideoViews>;
  renewing?: boolean;
}

/**
 * GET /videos/{videoId}/views: counts from ClickHouse at the Clock's instant, ranks from the lists being served. An
 * answer is reused for one refresh period (the freshness the lists have too, and `at` says when it was counted), and
 * concurrent requests for one video share one lookup: a popular video must not queue a lookup per request. During
 * the next periods the kept answer is still served while one new lookup runs beside it, so a video asked for again
 * and again never waits for the engine; an answer SERVED_WHILE_RENEWING_PERIODS old is never served.
 */
@Injectable()
export class VideoViewsService {
  private readonly answers = new LRUCache<string, Kept>({ max: VIDEO_ANSWERS_KEPT });
  private readonly batches = new LookupBatches<string, VideoViews>((ids) => this.lookUpMany(ids), VIDEOS_PER_LOOKUP);

  constructor(
    private readonly repository: VideoViewsRepository,
    private readonly precompute: PrecomputeService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  views(videoId: string): Promise<VideoViews> {
    const nowMs = this.clock.now().getTime();
    const period = Math.max(1, this.config.refreshIntervalMs);
    const kept = this.answers.get(videoId);
    if (kept && nowMs - kept.at < period) return kept.answer;
    if (kept && nowMs - kept.at < SERVED_WHILE_RENEWING_PERIODS * period) {
      if (!kept.renewing) this.renew(videoId, kept, nowMs);
      return kept.answer;
    }
    const answer = this.lookUp(videoId);
    this.answers.set(videoId, { at: nowMs, answer });
    // A failed lookup is not kept: the next request tries again.
    answer.catch(() => this.answers.get(videoId)?.answer === answer && this.answers.delete(videoId));
    return answer;
  }

  /** Looks the video up again behind a kept answer, which the new one replaces once it has arrived. */
  private renew(videoId: string, kept: Kept, nowMs: number): void {
    kept.renewing = true;
    this.lookUp(videoId).then(
      (answer) => this.answers.get(videoId) === kept && this.answers.set(videoId, { at: nowMs, answer: Promise.resolve(answer) }),
      // The kept answer stays until it is too old; a request after that waits for a lookup of its own.
      () => (kept.renewing = false),
    );
  }

  private lookUp(videoId: string): Promise<VideoViews> {
    return this.batches.get(videoId);
  }

  /** Several videos' answers at one instant, from one lookup (LookupBatches gathers them). */
  private async lookUpMany(videoIds: string[]): Promise<Map<string, VideoViews>> {
    const now = this.clock.now();
    const watermark = this.precompute.snapshot('last-hour')?.watermark;
    const counts = await this.repository.counts(videoIds, now, watermark ? watermark.getTime() - MINUTE_MS : -Infinity);
    const intervals = Object.fromEntries(WINDOWS.map((w) => [w, WINDOW_SPECS[w].intervalAt(now)])) as Record<
      WindowName,
      Interval | undefined
    >;
    // A rank only from a list the top-K endpoint would serve now (not last hour's list just after the hour turned).
    const served = (window: WindowName) => {
      const list = this.precompute.snapshot(window);
      return list && availability(list, now, this.config).serve ? list : undefined;
    };
    return new Map(videoIds.map((id) => [id, videoViews(id, now, counts.get(id)!, intervals, served)]));
  }
}
