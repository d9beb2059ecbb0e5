import { ConfigReader } from '@backstage/config';
import { Entity } from '@backstage/catalog-model';
import { AlphaEntity } from '@backstage/catalog-model/alpha';
import { CatalogProcessorResult } from '@backstage/plugin-catalog-node';
import { AccessRelationsProcessor } from './AccessRelationsProcessor';

const location = {
  type: 'url',
  target: 'https://example.invalid/catalog.yaml',
};

async function run(processor: AccessRelationsProcessor, entity: Entity) {
  const emitted: CatalogProcessorResult[] = [];
  const result = await processor.postProcessEntity(entity, location, r =>
    emitted.push(r),
  );
  const relations = emitted.map(r => {
    if (r.type !== 'relation') {
      throw new Error(`unexpected ${r.type}`);
    }
    const { source, type, target } = r.relation;
    return `${source.kind}:${source.namespace}/${source.name} ${type} ${target.kind}:${target.namespace}/${target.name}`;
  });
  return { result: result as AlphaEntity, relations };
}

describe('AccessRelationsProcessor', () => {
  const processor = AccessRelationsProcessor.fromConfig(new ConfigReader({}));

  it('gives the owner read, delete and refresh, resolving a bare owner as a group in the entity namespace', async () => {
    const { relations, result } = await run(processor, {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'route-planner', namespace: 'logistics' },
      spec: {
        owner: 'routing-squad',
        type: 'service',
        lifecycle: 'production',
      },
    });
    expect(relations).toEqual([
      'Component:logistics/route-planner readableBy group:logistics/routing-squad',
      'Component:logistics/route-planner deletableBy group:logistics/routing-squad',
      'Component:logistics/route-planner refreshableBy group:logistics/routing-squad',
      'Component:logistics/route-planner readableBy owner-of.kind:default/component',
    ]);
    expect(result.status).toBeUndefined();
  });

  it('emits exactly the granted actions, merging grants for the same subject', async () => {
    const { relations } = await run(processor, {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'API',
      metadata: {
        name: 'tracking-api',
        annotations: {
          'backstage.tanzu.vmware.com/group.support': 'catalog.entity.read',
          'backstage.tanzu.vmware.com/group.default.support':
            'catalog.entity.update',
          'backstage.tanzu.vmware.com/user.dana': 'catalog.entity.delete',
        },
      },
      spec: { owner: 'user:carol', type: 'openapi', lifecycle: 'production' },
    });
    expect(relations).toEqual([
      'API:default/tracking-api readableBy user:default/carol',
      'API:default/tracking-api deletableBy user:default/carol',
      'API:default/tracking-api refreshableBy user:default/carol',
      'API:default/tracking-api readableBy group:default/support',
      'API:default/tracking-api refreshableBy group:default/support',
      'API:default/tracking-api deletableBy user:default/dana',
    ]);
  });

  it('gives the kind relation only to entities without read grants', async () => {
    const template = (annotations: Record<string, string>) =>
      run(processor, {
        apiVersion: 'scaffolder.backstage.io/v1beta3',
        kind: 'Template',
        metadata: { name: 'payments-service', annotations },
        spec: { owner: 'group:payments-team', type: 'service', steps: [] },
      });
    const kindRelation =
      'Template:default/payments-service readableBy owner-of.kind:default/template';
    expect((await template({})).relations).toContain(kindRelation);
    expect(
      (
        await template({
          'backstage.tanzu.vmware.com/user.dana': 'catalog.entity.refresh',
        })
      ).relations,
    ).toContain(kindRelation);
    expect(
      (
        await template({
          'backstage.tanzu.vmware.com/group.finance': 'catalog.entity.read',
        })
      ).relations,
    ).toEqual([
      'Template:default/payments-service readableBy group:default/payments-team',
      'Template:default/payments-service deletableBy group:default/payments-team',
      'Template:default/payments-service refreshableBy group:default/payments-team',
      'Template:default/payments-service readableBy group:default/finance',
    ]);
  });

  it('lets users and groups read their own entity', async () => {
    const user = await run(processor, {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'User',
      metadata: { name: 'carol' },
      spec: { memberOf: ['routing-squad'] },
    });
    expect(user.relations).toEqual([
      'User:default/carol readableBy user:default/carol',
      'User:default/carol readableBy owner-of.kind:default/user',
    ]);
    const group = await run(processor, {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name: 'routing-squad' },
      spec: { type: 'team', children: [] },
    });
    expect(group.relations).toEqual([
      'Group:default/routing-squad readableBy group:default/routing-squad',
      'Group:default/routing-squad readableBy owner-of.kind:default/group',
    ]);
  });

  it('writes grant problems to status items, keeping existing items, and still emits the valid relations', async () => {
    const existing = {
      type: 'example.com/other',
      level: 'info' as const,
      message: 'kept',
    };
    const { relations, result } = await run(processor, {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: 'depot-sync',
        annotations: {
          'backstage.tanzu.vmware.com/group.ops': 'catalog.entities.read',
          'backstage.tanzu.vmware.com/team.ops': 'catalog.entity.read',
        },
      },
      spec: { owner: 'ops', type: 'service', lifecycle: 'production' },
      status: { items: [existing] },
    } as AlphaEntity);
    expect(relations).toHaveLength(4);
    expect(result.status?.items).toEqual([
      existing,
      {
        type: 'backstage.io/catalog-processing',
        level: 'error',
        message: expect.stringMatching(
          /'backstage\.tanzu\.vmware\.com\/group\.ops'.*'catalog\.entities\.read'/,
        ),
        error: { name: 'InputError', message: expect.any(String) },
      },
      {
        type: 'backstage.io/catalog-processing',
        level: 'error',
        message: expect.stringMatching(
          /'backstage\.tanzu\.vmware\.com\/team\.ops'.*'team' is neither/,
        ),
        error: { name: 'InputError', message: expect.any(String) },
      },
    ]);
  });

  it('reads the configured annotation prefixes', async () => {
    const custom = AccessRelationsProcessor.fromConfig(
      new ConfigReader({
        permission: {
          ownerOf: { annotationPrefixes: ['access.harborline.example'] },
        },
      }),
    );
    const { relations } = await run(custom, {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Resource',
      metadata: {
        name: 'depot-db',
        annotations: {
          'access.harborline.example/group.dba': 'catalog.entity.read',
          'backstage.tanzu.vmware.com/group.ops': 'catalog.entity.read',
        },
      },
      spec: { type: 'database' },
    });
    expect(relations).toEqual([
      'Resource:default/depot-db readableBy group:default/dba',
    ]);
  });
});
