import { mockServices } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { Entity } from '@backstage/catalog-model';
import { DocsPrebuilder } from './DocsPrebuilder';

const entity = (name: string, docs: boolean): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name,
    namespace: 'default',
    uid: `uid-${name}`,
    annotations: docs
      ? { 'backstage.io/techdocs-ref': 'dir:.' }
      : ({} as Record<string, string>),
  },
  spec: {},
});

describe('DocsPrebuilder', () => {
  const built: string[] = [];
  let now = 0;
  let prebuilder: DocsPrebuilder;

  beforeEach(() => {
    built.length = 0;
    now = 1_000_000;
    prebuilder = new DocsPrebuilder({
      catalog: catalogServiceMock({
        entities: [entity('with-docs', true), entity('without-docs', false)],
      }),
      auth: mockServices.auth(),
      discovery: mockServices.discovery(),
      logger: mockServices.logger.mock(),
      rebuildAfterMs: 600_000,
      now: () => now,
    });
    // The HTTP call to TechDocs' sync endpoint is the module test's; here, record the builds.
    jest.spyOn(prebuilder, 'build').mockImplementation(async e => {
      built.push(e.metadata.name);
      await (prebuilder as any).builtAt.set(e.metadata.uid, now);
    });
  });

  it('builds what has docs and was never built, then only what is older than rebuildAfter', async () => {
    await prebuilder.buildAll();
    expect(built).toEqual(['with-docs']);
    now += 60_000;
    await prebuilder.buildAll();
    expect(built).toEqual(['with-docs']);
    now += 600_000;
    await prebuilder.buildAll();
    expect(built).toEqual(['with-docs', 'with-docs']);
  });

  it("lets a reader's visit build only docs it has not built yet", async () => {
    const withDocs = entity('with-docs', true);
    expect(await prebuilder.shouldBuild({ entity: withDocs })).toBe(true);
    await prebuilder.buildAll();
    expect(await prebuilder.shouldBuild({ entity: withDocs })).toBe(false);
  });
});
