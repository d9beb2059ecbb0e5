import { UrlReaders } from '@backstage/backend-defaults/urlReader';
import { mockServices } from '@backstage/backend-test-utils';
import { LocationTargetProbe } from './LocationTargetProbe';
import { locationTargetGuard } from './locationTargetGuard';

/** The backend's real URL reader, allowed to read from one host only. */
function urlReader() {
  return UrlReaders.default({
    config: mockServices.rootConfig({
      data: {
        backend: { reading: { allow: [{ host: 'docs.harborline.example' }] } },
      },
    }),
    logger: mockServices.logger.mock(),
  });
}

describe('LocationTargetProbe', () => {
  const probe = new LocationTargetProbe(urlReader());

  it('lets a target the URL reader may read pass, without reading it', async () => {
    // The host does not resolve: reading it for real would fail, and the probe says nothing.
    await expect(
      probe.refusal('https://docs.harborline.example/catalog-info.yaml'),
    ).resolves.toBeUndefined();
  });

  it('names the reader’s refusal of a target outside backend.reading.allow', async () => {
    const refusal = await probe.refusal(
      'https://elsewhere.example/catalog-info.yaml',
    );
    expect(refusal).toMatch(
      /^Cannot register location https:\/\/elsewhere\.example\/catalog-info\.yaml: /,
    );
    expect(refusal).toMatch(/backend\.reading\.allow/);
  });

  it('refuses a target that is not an http(s) URL', async () => {
    await expect(probe.refusal('catalog-info.yaml')).resolves.toBe(
      "Location target 'catalog-info.yaml' is not a URL",
    );
    await expect(probe.refusal('file:///etc/catalog-info.yaml')).resolves.toBe(
      "Location target 'file:///etc/catalog-info.yaml' must be an http or https URL, not file:",
    );
  });
});

describe('locationTargetGuard', () => {
  const guard = locationTargetGuard(urlReader());

  /** What the guard passes to `next` for a request. */
  const passedOn = (req: object) =>
    new Promise<unknown>(resolve => {
      guard(req as any, {} as any, resolve);
    });

  it('answers a registration of a refused url location with an InputError (a 400)', async () => {
    const error = (await passedOn({
      method: 'POST',
      path: '/locations',
      body: { type: 'url', target: 'https://elsewhere.example/x.yaml' },
    })) as Error;
    expect(error.name).toBe('InputError');
    expect(error.message).toMatch(
      /^Cannot register location https:\/\/elsewhere\.example\/x\.yaml: /,
    );
  });

  it('passes on allowed targets, other location types and other routes', async () => {
    await expect(
      passedOn({
        method: 'PUT',
        path: '/locations/3f1c',
        body: { type: 'url', target: 'https://docs.harborline.example/x.yaml' },
      }),
    ).resolves.toBeUndefined();
    await expect(
      passedOn({
        method: 'POST',
        path: '/locations',
        body: { type: 'file', target: '/elsewhere/x.yaml' },
      }),
    ).resolves.toBeUndefined();
    await expect(
      passedOn({
        method: 'POST',
        path: '/refresh',
        body: { type: 'url', target: 'https://elsewhere.example/x.yaml' },
      }),
    ).resolves.toBeUndefined();
  });
});
