import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { MINUTE_MS } from '../top-k/last-hour';
import { PrecomputeService } from '../top-k/precompute.service';
import { availability } from '../top-k/staleness';
import { Interval, WINDOW_SPECS, WindowName, WINDOWS } from '../top-k/windows';
import { VideoViews, videoViews } from './video-views';
import { VideoViewsRepository } from './video-views.repository';

/** GET /videos/{videoId}/views: counts from ClickHouse at the Clock's instant, ranks from the lists being served. */
@Injectable()
export class VideoViewsService {
  constructor(
    private readonly repository: VideoViewsRepository,
    private readonly precompute: PrecomputeService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async views(videoId: string): Promise<VideoViews> {
    const now = this.clock.now();
    const watermark = this.precompute.snapshot('last-hour')?.watermark;
    const counts = await this.repository.counts(videoId, now, watermark ? watermark.getTime() - MINUTE_MS : -Infinity);
    const intervals = Object.fromEntries(WINDOWS.map((w) => [w, WINDOW_SPECS[w].intervalAt(now)])) as Record<
      WindowName,
      Interval | undefined
    >;
    // A rank only from a list the top-K endpoint would serve now (not last hour's list just after the hour turned).
    const served = (window: WindowName) => {
      const list = this.precompute.snapshot(window);
      return list && availability(list, now, this.config).serve ? list : undefined;
    };
    return videoViews(videoId, now, counts, intervals, served);
  }
}
