import { DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from './app-config';

/** Injection token for the typed configuration. */
export const APP_CONFIG = Symbol('APP_CONFIG');

/**
 * The configuration, validated once before the application is built (loadConfig in main.ts: a bad setting stops
 * start-up with one message naming it) and offered to every module as APP_CONFIG. Tests pass their own.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: APP_CONFIG, useValue: config }], exports: [APP_CONFIG] };
  }
}
