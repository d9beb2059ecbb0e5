import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';

/** The id the search backend gives the task that runs the TechDocs collator. */
export const TECHDOCS_INDEX_TASK_ID = 'search_index_techdocs';

/**
 * Starts the search backend's TechDocs indexing task now, rather than at its next scheduled run.
 *
 * A run already in progress may have read the docs before the new ones were published, and the
 * task does not exist until the search backend has started; in both cases the scheduler refuses
 * the trigger, so this tries again until the task has been started once after the request.
 */
export class TechDocsIndexTrigger {
  private pending: Promise<void> | undefined;

  constructor(
    private readonly deps: {
      scheduler: Pick<SchedulerService, 'triggerTask'>;
      logger: LoggerService;
      retryEveryMs?: number;
      giveUpAfterMs?: number;
    },
  ) {}

  /** Requests a run; requests made while one is waiting to start share it. */
  request(): Promise<void> {
    this.pending ??= this.triggerUntilStarted().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async triggerUntilStarted(): Promise<void> {
    const { scheduler, logger } = this.deps;
    const retryEveryMs = this.deps.retryEveryMs ?? 2_000;
    const deadline = Date.now() + (this.deps.giveUpAfterMs ?? 10 * 60_000);
    for (;;) {
      try {
        await scheduler.triggerTask(TECHDOCS_INDEX_TASK_ID);
        logger.info('Indexing the TechDocs just built');
        return;
      } catch (error) {
        const name = (error as Error)?.name;
        // ConflictError: a run is in progress; NotFoundError: the search backend has not scheduled it yet.
        if (name !== 'ConflictError' && name !== 'NotFoundError') throw error;
        if (Date.now() >= deadline) {
          logger.warn(
            `Could not start the TechDocs indexing early (${error}); it runs on its schedule`,
          );
          return;
        }
      }
      await new Promise(resolve => setTimeout(resolve, retryEveryMs));
    }
  }
}
