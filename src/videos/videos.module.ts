import { Module } from '@nestjs/common';
import { RollupModule } from '../rollup/rollup.module';
import { TopKModule } from '../top-k/top-k.module';
import { VideoSeriesRepository } from './video-series.repository';
import { VideoSeriesService } from './video-series.service';
import { VideoViewsRepository } from './video-views.repository';
import { VideoViewsService } from './video-views.service';
import { VideosController } from './videos.controller';
import { ViewsSeriesController } from './views-series.controller';

/**
 * One video's numbers: GET /videos/{videoId}/views (counts by key lookup, ranks from the served lists) and
 * GET /videos/{videoId}/views/series and GET /views/series for many videos (views per bucket, by key range).
 */
@Module({
  imports: [TopKModule, RollupModule],
  controllers: [VideosController, ViewsSeriesController],
  providers: [VideoViewsRepository, VideoViewsService, VideoSeriesRepository, VideoSeriesService],
})
export class VideosModule {}
