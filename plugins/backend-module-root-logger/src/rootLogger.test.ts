import {
  ServiceFactoryTester,
  mockServices,
} from '@backstage/backend-test-utils';
import {
  rootLoggerWithRedactionsOffThread,
  writeHeldLogLines,
} from './rootLogger';

jest.setTimeout(60_000);

/** What winston's console transport writes, line by line. */
function captureConsole() {
  const lines: string[] = [];
  const streams = [(console as any)._stdout, (console as any)._stderr];
  const spies = streams.map(stream =>
    jest.spyOn(stream, 'write').mockImplementation((chunk: any) => {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      return true;
    }),
  );
  return { lines, restore: () => spies.forEach(spy => spy.mockRestore()) };
}

describe('rootLoggerWithRedactionsOffThread', () => {
  const env = process.env.NODE_ENV;
  beforeAll(() => {
    process.env.NODE_ENV = 'production';
  });
  afterAll(() => {
    process.env.NODE_ENV = env;
  });

  it('returns before the secrets are known, and writes nothing unredacted', async () => {
    const output = captureConsole();
    try {
      const logger = await ServiceFactoryTester.from(
        rootLoggerWithRedactionsOffThread,
        {
          dependencies: [
            mockServices.rootConfig.factory({
              data: {
                backend: {
                  auth: { keys: [{ secret: 'auth-key-at-start-7e1b' }] },
                  logger: { meta: { region: 'test-1' } },
                },
              },
            }),
          ],
        },
      ).getSubject();

      logger.info('signing with auth-key-at-start-7e1b');
      logger.child({ plugin: 'catalog' }).warn('child line');
      await new Promise(resolve => setImmediate(resolve));
      expect(output.lines).toEqual([]);

      // As a failed start does before it exits.
      await writeHeldLogLines(30_000);
      await new Promise(resolve => setImmediate(resolve));
      const entries = output.lines.map(line => JSON.parse(line));
      expect(entries).toEqual([
        {
          level: 'info',
          message: 'signing with ***',
          service: 'backstage',
          region: 'test-1',
        },
        {
          level: 'warn',
          message: 'child line',
          plugin: 'catalog',
          service: 'backstage',
          region: 'test-1',
        },
        expect.objectContaining({
          level: 'info',
          message: expect.stringMatching(/^Found \d+ new secrets in config/),
        }),
      ]);
      expect(output.lines.join('\n')).not.toContain('auth-key-at-start-7e1b');
    } finally {
      output.restore();
    }
  });

  it('names the bad entry of backend.logger.overrides', async () => {
    await expect(
      ServiceFactoryTester.from(rootLoggerWithRedactionsOffThread, {
        dependencies: [
          mockServices.rootConfig.factory({
            data: {
              backend: {
                logger: { overrides: [{ matchers: {}, level: 'loud' }] },
              },
            },
          }),
        ],
      }).getSubject(),
    ).rejects.toThrow(
      "Invalid config at backend.logger.overrides[0].level, 'loud' is not a valid logging level",
    );
  });
});
