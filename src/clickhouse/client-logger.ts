// @clickhouse/client's own log, through the service's logger (JSON lines), instead of its default plain-text lines on
// the console ("[time][ERROR][@clickhouse/client][Connection] ...").
import { Logger as NestLogger } from '@nestjs/common';
import type { Logger as ClientLogger, ErrorLogParams, LogParams, WarnLogParams } from '@clickhouse/client';

const log = new NestLogger('ClickHouseClient');

const line = ({ module, message, args }: LogParams) => `${module}: ${message}${args ? ` ${JSON.stringify(args)}` : ''}`;

/**
 * Warnings stay warnings. The client's errors go to debug: every one is a failed request whose error the client
 * also throws to its caller, which handles it or logs it in its own terms (an expected race, a refresh that failed),
 * so at error level each would be said twice, the second time with the client's stack.
 */
export class ClickHouseClientLogger implements ClientLogger {
  trace(params: LogParams): void {
    log.verbose(line(params));
  }
  debug(params: LogParams): void {
    log.debug(line(params));
  }
  info(params: LogParams): void {
    log.log(line(params));
  }
  warn(params: WarnLogParams): void {
    log.warn(params.err ? `${line(params)}: ${params.err.message}` : line(params));
  }
  error(params: ErrorLogParams): void {
    log.debug(`${line(params)}: ${params.err.message}`);
  }
}
