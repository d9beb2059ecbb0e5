import {
  LoggerService,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';

export type RecordedLog = {
  level: 'error' | 'warn';
  message: string;
  /** The logger's fields (such as `plugin`) and the entry's own, flattened to text. */
  meta: string;
};

function describeMeta(fields: object, meta: unknown): string {
  if (meta instanceof Error) {
    return `${JSON.stringify(fields)} ${meta.name}: ${meta.message}`;
  }
  try {
    return JSON.stringify({ ...fields, ...(meta as object) });
  } catch {
    return JSON.stringify(fields);
  }
}

/**
 * A root logger that keeps the warnings and errors every plugin logs, so tests can check what the
 * backend reported (the catalog logs processing errors and conflicts this way). Info and debug
 * entries are dropped: the catalog logs a lot at those levels.
 */
export function recordingRootLogger() {
  const entries: RecordedLog[] = [];
  const create = (fields: object): LoggerService => ({
    error: (message, meta) =>
      entries.push({
        level: 'error',
        message,
        meta: describeMeta(fields, meta),
      }),
    warn: (message, meta) =>
      entries.push({
        level: 'warn',
        message,
        meta: describeMeta(fields, meta),
      }),
    info: () => {},
    debug: () => {},
    child: meta => create({ ...fields, ...meta }),
  });
  return {
    entries,
    factory: createServiceFactory({
      service: coreServices.rootLogger,
      deps: {},
      factory: () => create({}),
    }),
  };
}
