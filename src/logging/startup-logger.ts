// The log of start-up, before the application's own logger (nestjs-pino, which needs the application to exist) takes
// over. Each line is written when it happens, with its own time: buffering them for nestjs-pino (bufferLogs) gave every
// start-up line the instant of the hand-over.
import { LoggerService } from '@nestjs/common';
import pino from 'pino';
import { FRAMEWORK_CONTEXTS } from './quiet-logger';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/** The same JSON lines as the application's logger (pino, ISO times, `context` and `msg`), quiet as it is. */
export class StartupLogger implements LoggerService {
  private readonly pino: pino.Logger;

  constructor(level: string, destination: pino.DestinationStream = pino.destination({ sync: true })) {
    this.pino = pino({ level, timestamp: pino.stdTimeFunctions.isoTime }, destination);
  }

  log(message: unknown, ...params: unknown[]): void {
    // Nest's own start-up chatter (a line per module and route) only from LOG_LEVEL=debug, as QuietLogger does.
    this.write(FRAMEWORK_CONTEXTS.has(contextOf(params) ?? '') ? 'debug' : 'info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    const context = contextOf(params);
    // Nest passes an error's stack as the parameter before the context.
    const stack = level === 'error' && typeof params[0] === 'string' && params.length > 1 ? params[0] : undefined;
    if (message instanceof Error) this.pino[level]({ context, err: message }, message.message);
    else this.pino[level]({ context, ...(stack && { stack }) }, typeof message === 'string' ? message : JSON.stringify(message));
  }
}

function contextOf(params: unknown[]): string | undefined {
  const last = params[params.length - 1];
  return typeof last === 'string' ? last : undefined;
}
