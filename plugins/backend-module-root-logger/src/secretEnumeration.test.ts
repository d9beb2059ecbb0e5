import { ConfigReader } from '@backstage/config';
import { enumerateConfigSecrets } from './secretEnumeration';

jest.setTimeout(60_000);

describe('enumerateConfigSecrets', () => {
  it('finds the values the backend packages’ schemas mark as secret, on a worker thread', async () => {
    const config = new ConfigReader({
      backend: {
        baseUrl: 'http://127.0.0.1:7007',
        auth: { keys: [{ secret: 'a-backend-auth-key-4f2a' }] },
        database: {
          client: 'pg',
          connection: { password: 'a-database-password-9c1d' },
        },
      },
    });

    const { secrets, messages } = await enumerateConfigSecrets(config);

    expect(secrets).toEqual(
      expect.arrayContaining([
        'a-backend-auth-key-4f2a',
        'a-database-password-9c1d',
      ]),
    );
    expect(secrets).not.toContain('http://127.0.0.1:7007');
    expect(messages).toContainEqual({
      level: 'info',
      message: expect.stringMatching(/^Found \d+ new secrets in config/),
    });
    expect(messages.filter(m => m.level === 'warn')).toEqual([]);
  });
});
