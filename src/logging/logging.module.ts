import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { stdTimeFunctions } from 'pino';
import { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/config.module';
import { QuietLogger } from './quiet-logger';

/**
 * A caller's own X-Request-Id is kept (so logs join across services) if it is short and plain; otherwise a new
 * UUID. Fastify assigns it (app.setup.ts) and echoes it in the response; pino-http logs it as req.id.
 */
export function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(given) ? given : randomUUID();
}

/**
 * Structured JSON logs (pino) for the whole process, each request's lines carrying its id. Quiet by default:
 * start-up, warnings and errors; one line per request only from LOG_LEVEL=debug. Credentials never reach a log.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        const level = config.logLevel;
        return {
          pinoHttp: {
            level,
            timestamp: stdTimeFunctions.isoTime,
            autoLogging: level === 'debug' || level === 'trace',
            redact: { paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie'], censor: '[redacted]' },
            serializers: {
              req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            },
          },
        };
      },
    }),
  ],
  providers: [QuietLogger],
  exports: [QuietLogger],
})
export class LoggingModule {}
