import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';

/**
 * Reads who started a scaffolder task, with the permission plugin's own service credentials
 * (the caller's may not see the task; the explain endpoint decides what to tell them).
 */
export class TaskCreators {
  constructor(
    private readonly options: {
      auth: AuthService;
      discovery: DiscoveryService;
    },
  ) {}

  /** The task's creator, null when none is recorded, undefined when there is no such task. */
  async creatorOf(taskId: string): Promise<string | null | undefined> {
    const { auth, discovery } = this.options;
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: await auth.getOwnServiceCredentials(),
      targetPluginId: 'scaffolder',
    });
    const response = await fetch(
      `${await discovery.getBaseUrl(
        'scaffolder',
      )}/v2/tasks/${encodeURIComponent(taskId)}`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    if (response.status === 404) {
      return undefined;
    }
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    const task = (await response.json()) as { createdBy?: string };
    return task.createdBy || null;
  }
}
