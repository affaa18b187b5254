import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';

const PUBLIC = join(__dirname, '../../public');
/** public/index.html: one static page that reads GET /views/top-k like any client, and its script. Read once, at start. */
const PAGE = readFileSync(join(PUBLIC, 'index.html'), 'utf8');
/** A file of its own, so that the content security policy can forbid inline scripts. */
const SCRIPT = readFileSync(join(PUBLIC, 'leaderboard.js'), 'utf8');
/** public/video.html: one video's page, and its script. */
const VIDEO_PAGE = readFileSync(join(PUBLIC, 'video.html'), 'utf8');
const VIDEO_SCRIPT = readFileSync(join(PUBLIC, 'video.js'), 'utf8');
/**
 * Chart.js (MIT), which draws the video page's charts, served from the service's own node_modules: no CDN, so the content
 * security policy stays 'self'. Versioned by the package, so caches may keep it a day.
 */
const CHART_JS = readFileSync(join(dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'utf8');

/** The live leaderboard at `/`, every window side by side; one video's page at `/video?id=`. */
@ApiExcludeController()
@Controller()
export class LeaderboardController {
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  page(): string {
    return PAGE;
  }

  @Get('leaderboard.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  script(): string {
    return SCRIPT;
  }

  /** The id is read by the page's script from the query string: the HTML is the same for every video. */
  @Get('video')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  videoPage(): string {
    return VIDEO_PAGE;
  }

  @Get('video.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  videoScript(): string {
    return VIDEO_SCRIPT;
  }

  @Get('vendor/chart.umd.min.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'public, max-age=86400')
  chartJs(): string {
    return CHART_JS;
  }
}
