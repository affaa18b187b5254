import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';

/** public/index.html: one static page that reads GET /views/top-k like any client, and its script. Read once, at start. */
const PAGE = readFileSync(join(__dirname, '../../public/index.html'), 'utf8');
/** A file of its own, so that the content security policy can forbid inline scripts. */
const SCRIPT = readFileSync(join(__dirname, '../../public/leaderboard.js'), 'utf8');

/** The live leaderboard at `/`: every window side by side, refreshed every few seconds in the browser. */
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
}
