import { WinstonLoggerLevelOverride } from '@backstage/backend-defaults/rootLogger';
import { Config } from '@backstage/config';
import { JsonObject } from '@backstage/types';
import { config as winstonConfig } from 'winston';

/** `backend.logger` (declared by `@backstage/backend-defaults`), read as Backstage's root logger reads it. */
export interface RootLoggerConfig {
  level?: string;
  meta?: JsonObject;
  overrides: WinstonLoggerLevelOverride[];
}

export function readRootLoggerConfig(config: Config): RootLoggerConfig {
  const overrides = (
    config.getOptionalConfigArray('backend.logger.overrides') ?? []
  ).map((override, index) => {
    const level = override.getString('level');
    if (!(level in winstonConfig.npm.levels)) {
      throw new Error(
        `Invalid config at backend.logger.overrides[${index}].level, '${level}' is not a valid logging level, must be one of 'error', 'warn', 'info' or 'debug'.`,
      );
    }
    return {
      level,
      matchers: override.getConfig('matchers').get<JsonObject>(),
    } as WinstonLoggerLevelOverride;
  });
  return {
    level: config.getOptionalString('backend.logger.level'),
    meta: config.getOptionalConfig('backend.logger.meta')?.get<JsonObject>(),
    overrides,
  };
}
