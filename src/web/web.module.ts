import { Module } from '@nestjs/common';
import { LeaderboardController } from './leaderboard.controller';

/** Pages for people: the live leaderboard at `/` (the API docs at /docs are set up in app.setup.ts). */
@Module({ controllers: [LeaderboardController] })
export class WebModule {}
