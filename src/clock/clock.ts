import { Global, Injectable, Module } from '@nestjs/common';

/** The one source of "now" in the service; tests replace it to walk through hours, days and months. */
export abstract class Clock {
  abstract now(): Date;
}

@Injectable()
export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

@Global()
@Module({ providers: [{ provide: Clock, useClass: SystemClock }], exports: [Clock] })
export class ClockModule {}
