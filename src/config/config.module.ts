import { Global, Module } from '@nestjs/common';
import { ConfigModule as NestConfigModule, ConfigService } from '@nestjs/config';
import { AppConfig, EnvironmentVariables, SETTING_NAMES, toAppConfig, validateEnvironment } from './app-config';

/** Injection token for the typed configuration. */
export const APP_CONFIG = Symbol('APP_CONFIG');

/**
 * Every setting comes from the environment through @nestjs/config, validated once by the class-validator schema
 * in app-config.ts (a bad setting stops start-up with a message naming it), then offered typed as APP_CONFIG.
 * Tests override APP_CONFIG.
 */
@Global()
@Module({
  imports: [NestConfigModule.forRoot({ ignoreEnvFile: true, cache: true, validate: validateEnvironment })],
  providers: [
    {
      provide: APP_CONFIG,
      inject: [ConfigService],
      useFactory: (settings: ConfigService): AppConfig => {
        const vars = Object.assign(new EnvironmentVariables(), Object.fromEntries(SETTING_NAMES.map((name) => [name, settings.get(name)])));
        return toAppConfig(vars);
      },
    },
  ],
  exports: [APP_CONFIG],
})
export class ConfigModule {}
