import { Module } from '@nestjs/common';
import { TopKModule } from '../top-k/top-k.module';
import { VideoViewsRepository } from './video-views.repository';
import { VideoViewsService } from './video-views.service';
import { VideosController } from './videos.controller';

/** One video's numbers: GET /videos/{videoId}/views (counts by key lookup, ranks from the served lists). */
@Module({
  imports: [TopKModule],
  controllers: [VideosController],
  providers: [VideoViewsRepository, VideoViewsService],
})
export class VideosModule {}
