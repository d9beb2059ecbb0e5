import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { productionSignInGuard } from './productionSignInGuard';

describe('productionSignInGuard', () => {
  it('stops a production backend with the guest provider from starting, naming the setting', async () => {
    await expect(
      startTestBackend({
        features: [
          productionSignInGuard,
          mockServices.rootConfig.factory({
            data: {
              auth: { environment: 'production', providers: { guest: {} } },
            },
          }),
        ],
      }),
    ).rejects.toThrow(
      /Portico backend refuses to start: auth\.providers\.guest is set while auth\.environment is production/,
    );
  });

  it('lets a development backend with the guest provider start', async () => {
    const backend = await startTestBackend({
      features: [
        productionSignInGuard,
        mockServices.rootConfig.factory({
          data: {
            auth: { environment: 'development', providers: { guest: {} } },
          },
        }),
      ],
    });
    expect(backend.server.listening).toBe(true);
    await backend.stop();
  });
});
