import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../clock/clock';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { RollupService } from '../rollup/rollup.service';
import { settleFinal } from '../top-k/finality';
import { IngestWatermark } from '../top-k/ingest-watermark';
import { VideoSeriesRepository } from './video-series.repository';
import { LookupBatches } from './lookup-batches';
import { bucketStarts, fillBuckets, Grain, SeriesBucket, SeriesRange, seriesRequest, SeriesRequest } from './series';

/**
 * Most videos one read takes: the requests for one range that arrive while a read runs are read together in the next
 * one (LookupBatches), as the leaderboard's charts ask for a hundred videos' last hour at once.
 */
export const SERIES_PER_READ = 100;

export interface VideoSeries {
  videoId: string;
  grain: Grain;
  /** Start of the first bucket. */
  from: string;
  /** End of the last bucket (exclusive). */
  to: string;
  /** The instant the counts are for. */
  at: string;
  /** Every bucket is closed and final: the answer will not change (Cache-Control lets caches keep it). */
  final: boolean;
  buckets: SeriesBucket[];
}

/** Many videos' views over one range (GET /views/series): the buckets' starts once, each video's views in that order. */
export interface VideosSeries {
  grain: Grain;
  from: string;
  to: string;
  at: string;
  final: boolean;
  /** Start of every bucket, oldest first. */
  starts: string[];
  videos: { videoId: string; views: number[] }[];
}

/**
 * GET /videos/{videoId}/views/series: one video's exact views per bucket, every bucket of the range. A range whose
 * last bucket ended more than LATE_TOLERANCE_MS ago, once ClickHouse holds every message Kafka had appended by then, is
 * final, as a past window's list is: the hour, day and month tables are rolled up first (migration 0017), so a
 * final answer holds every view that came in time.
 */
@Injectable()
export class VideoSeriesService {
  /** Keyed by JSON [grain, first bucket ms, last bucket ms, video id]. */
  private readonly batches = new LookupBatches<string, Map<number, number>>((keys) => this.readMany(keys), SERIES_PER_READ);

  constructor(
    private readonly repository: VideoSeriesRepository,
    private readonly watermark: IngestWatermark,
    private readonly rollup: RollupService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Which buckets `from` and `to` ask for at the Clock's instant, or why they cannot be answered. */
  request(grain: Grain, from: Date | undefined, to: Date | undefined): SeriesRequest {
    return seriesRequest(grain, from, to, this.clock.now(), this.config.retention);
  }

  async series(videoId: string, grain: Grain, range: SeriesRange): Promise<VideoSeries> {
    const now = this.clock.now();
    const final = await this.finalAt(grain, range, now);
    const counted = await this.batches.get(JSON.stringify([grain, range.first.getTime(), range.last.getTime(), videoId]));
    return {
      videoId,
      grain,
      from: range.first.toISOString(),
      to: range.end.toISOString(),
      at: now.toISOString(),
      final,
      buckets: fillBuckets(grain, range.first, range.buckets, counted),
    };
  }

  /**
   * Many videos' views over one range, in one read (the leaderboard's charts: every video on show in one request rather
   * than one each, which a browser's six connections to a host, five of them held by the page's streams, would queue).
   */
  async seriesOfMany(videoIds: readonly string[], grain: Grain, range: SeriesRange): Promise<VideosSeries> {
    const now = this.clock.now();
    const final = await this.finalAt(grain, range, now);
    const counted = await this.repository.views(videoIds, grain, range.first, range.last);
    const starts = bucketStarts(grain, range.first, range.buckets);
    return {
      grain,
      from: range.first.toISOString(),
      to: range.end.toISOString(),
      at: now.toISOString(),
      final,
      starts: starts.map((start) => new Date(start).toISOString()),
      videos: videoIds.map((videoId) => {
        const views = counted.get(videoId);
        return { videoId, views: starts.map((start) => views?.get(start) ?? 0) };
      }),
    };
  }

  /** Whether the range's answer is final at `now` (the past windows' rule); the hour, day and month tables rolled up then. */
  private finalAt(grain: Grain, range: SeriesRange, now: Date): Promise<boolean> {
    const finalFrom = range.end.getTime() + this.config.lateToleranceMs;
    return settleFinal(finalFrom, now, this.watermark, grain === 'minute' ? undefined : this.rollup);
  }

  /** Several requests' views in one read per range (most often one: the same grain's default range). */
  private async readMany(keys: string[]): Promise<Map<string, Map<number, number>>> {
    const ranges = new Map<string, { grain: Grain; first: number; last: number; videos: string[] }>();
    for (const key of keys) {
      const [grain, first, last, video] = JSON.parse(key) as [Grain, number, number, string];
      const range = `${grain}/${first}/${last}`;
      const entry = ranges.get(range) ?? { grain, first, last, videos: [] };
      entry.videos.push(video);
      ranges.set(range, entry);
    }
    const answers = new Map<string, Map<number, number>>();
    for (const { grain, first, last, videos } of ranges.values()) {
      const views = await this.repository.views(videos, grain, new Date(first), new Date(last));
      for (const video of videos) answers.set(JSON.stringify([grain, first, last, video]), views.get(video) ?? new Map());
    }
    return answers;
  }
}
