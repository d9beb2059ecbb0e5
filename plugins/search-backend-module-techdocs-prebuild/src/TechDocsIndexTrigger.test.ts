import { mockServices } from '@backstage/backend-test-utils';
import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  TECHDOCS_INDEX_TASK_ID,
  TechDocsIndexTrigger,
} from './TechDocsIndexTrigger';

function schedulerAnswering(...answers: Array<Error | undefined>) {
  const calls: string[] = [];
  return {
    calls,
    triggerTask: async (id: string) => {
      calls.push(id);
      const answer = answers.shift();
      if (answer) throw answer;
    },
  };
}

describe('TechDocsIndexTrigger', () => {
  const logger = mockServices.logger.mock();

  it('starts the TechDocs indexing task', async () => {
    const scheduler = schedulerAnswering(undefined);
    await new TechDocsIndexTrigger({ scheduler, logger }).request();
    expect(scheduler.calls).toEqual([TECHDOCS_INDEX_TASK_ID]);
  });

  it('waits for a run in progress and for a task not scheduled yet, then starts it', async () => {
    const scheduler = schedulerAnswering(
      new NotFoundError('Task search_index_techdocs does not exist'),
      new ConflictError('Task search_index_techdocs is currently running'),
      undefined,
    );
    await new TechDocsIndexTrigger({
      scheduler,
      logger,
      retryEveryMs: 1,
    }).request();
    expect(scheduler.calls).toHaveLength(3);
  });

  it('shares one pending start between requests', async () => {
    const scheduler = schedulerAnswering(
      new ConflictError('running'),
      undefined,
    );
    const trigger = new TechDocsIndexTrigger({
      scheduler,
      logger,
      retryEveryMs: 5,
    });
    await Promise.all([trigger.request(), trigger.request()]);
    expect(scheduler.calls).toHaveLength(2);
  });

  it('gives up with a warning, leaving the task to its schedule', async () => {
    const scheduler = {
      triggerTask: async () => {
        throw new ConflictError('running');
      },
    };
    await new TechDocsIndexTrigger({
      scheduler,
      logger,
      retryEveryMs: 1,
      giveUpAfterMs: 10,
    }).request();
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('runs on its schedule'),
    );
  });

  it('passes on any other error', async () => {
    const scheduler = schedulerAnswering(new Error('database is gone'));
    await expect(
      new TechDocsIndexTrigger({ scheduler, logger }).request(),
    ).rejects.toThrow('database is gone');
  });
});
