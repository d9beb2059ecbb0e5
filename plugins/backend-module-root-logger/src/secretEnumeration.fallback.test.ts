import { ConfigReader } from '@backstage/config';
import { EventEmitter } from 'node:events';

// A worker thread that fails to start, as one does where threads are not available.
jest.mock('node:worker_threads', () => ({
  Worker: class extends EventEmitter {
    constructor() {
      super();
      setImmediate(() => this.emit('error', new Error('no threads here')));
    }
  },
}));

import { enumerateConfigSecrets } from './secretEnumeration';

jest.setTimeout(60_000);

describe('enumerateConfigSecrets without a worker thread', () => {
  it('finds the same secrets on this thread, and says why', async () => {
    const config = new ConfigReader({
      backend: { auth: { keys: [{ secret: 'a-backend-auth-key-7d3e' }] } },
    });

    const { secrets, messages } = await enumerateConfigSecrets(config);

    expect(secrets).toContain('a-backend-auth-key-7d3e');
    expect(messages[0]).toEqual({
      level: 'warn',
      message: expect.stringContaining(
        'as a worker thread failed: Error: no threads here',
      ),
    });
    expect(messages).toContainEqual({
      level: 'info',
      message: expect.stringMatching(/^Found \d+ new secrets in config/),
    });
  });
});
