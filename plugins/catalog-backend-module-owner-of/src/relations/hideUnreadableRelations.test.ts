import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import express from 'express';
import request from 'supertest';
import { createHideUnreadableRelationsMiddleware } from './hideUnreadableRelations';
import { readableRefsInCatalog } from './readableRefs';

// The query itself is tested against real catalogs in readableRefs.test.ts.
jest.mock('./readableRefs', () => ({
  ...jest.requireActual('./readableRefs'),
  readableRefsInCatalog: jest.fn(),
}));
const readableRefsInCatalogMock = readableRefsInCatalog as jest.MockedFunction<
  typeof readableRefsInCatalog
>;

const ADMIN = 'user:default/alice';
const MEMBER = 'user:default/bob';

/** What the catalog route answers, before the middleware has its say. */
const entity = {
  kind: 'Component',
  metadata: { namespace: 'default', name: 'payment-gateway' },
  spec: { owner: 'payments-team' },
  relations: [
    { type: 'ownedBy', targetRef: 'group:default/payments-team' },
    { type: 'dependsOn', targetRef: 'component:default/ledger' },
    { type: 'readableBy', targetRef: 'group:default/payments-team' },
    { type: 'readableBy', targetRef: 'owner-of.kind:default/component' },
  ],
};

/** An entity that names no other entity than the owner its spec names. */
const ownerOnly = {
  kind: 'Component',
  metadata: { namespace: 'default', name: 'ledger' },
  spec: { owner: 'group:default/secret-team' },
  relations: [
    { type: 'ownedBy', targetRef: 'group:default/secret-team' },
    { type: 'readableBy', targetRef: 'user:default/bob' },
  ],
};

function setUp(
  options: {
    permissionsDown?: boolean;
    hideUnreadable?: boolean;
    withDatabase?: boolean;
  } = {},
) {
  const authorizeConditional = jest.fn(
    async (_requests: unknown[], { credentials }: { credentials: any }) => [
      credentials.principal.userEntityRef === ADMIN
        ? { result: AuthorizeResult.ALLOW }
        : {
            result: AuthorizeResult.CONDITIONAL,
            pluginId: 'catalog',
            resourceType: 'catalog-entity',
            conditions: {
              rule: 'HAS_ACCESS_RELATION',
              resourceType: 'catalog-entity',
              params: {
                relation: 'readableBy',
                claims: ['user:default/bob', 'group:default/payments-team'],
              },
            },
          },
    ],
  );
  if (options.permissionsDown) {
    authorizeConditional.mockRejectedValue(
      new Error('permission backend down'),
    );
  }
  // bob may read his team, not the ledger it depends on.
  const getEntitiesByRefs = jest.fn(
    async (req: { entityRefs: string[] }, _options: unknown) => ({
      items: req.entityRefs.map(ref =>
        ref === 'group:default/payments-team'
          ? {
              kind: 'Group',
              metadata: { namespace: 'default', name: 'payments-team' },
            }
          : undefined,
      ),
    }),
  );
  const app = express();
  app.use(
    createHideUnreadableRelationsMiddleware({
      auth: mockServices.auth(),
      httpAuth: mockServices.httpAuth(),
      catalog: { getEntitiesByRefs } as any,
      permissions: { authorizeConditional } as any,
      logger: mockServices.logger.mock(),
      db: options.withDatabase ? ({ catalogDatabase: true } as any) : undefined,
      hideUnreadable: options.hideUnreadable ?? true,
    }),
  );
  app.get('/entities/by-name/component/default/:name', (req, res) => {
    res.json(req.params.name === 'payment-gateway' ? entity : ownerOnly);
  });
  const get = (header: string, name = 'payment-gateway') =>
    request(app)
      .get(`/entities/by-name/component/default/${name}`)
      .set('authorization', header);
  return { get, authorizeConditional, getEntitiesByRefs };
}

const targets = (body: typeof entity) =>
  body.relations.map(r => `${r.type} ${r.targetRef}`);

describe('createHideUnreadableRelationsMiddleware', () => {
  it('makes no lookup for a user whose read decision is ALLOW (an admin); access relations still go', async () => {
    const { get, authorizeConditional, getEntitiesByRefs } = setUp();
    for (let i = 0; i < 3; i++) {
      const res = await get(mockCredentials.user.header(ADMIN)).expect(200);
      expect(targets(res.body)).toEqual([
        'ownedBy group:default/payments-team',
        'dependsOn component:default/ledger',
      ]);
    }
    expect(getEntitiesByRefs).not.toHaveBeenCalled();
    expect(authorizeConditional).toHaveBeenCalledTimes(3);
  });

  it('evaluates a member’s HAS_ACCESS_RELATION decision in the catalog’s database, and removes the rest', async () => {
    readableRefsInCatalogMock.mockReset();
    readableRefsInCatalogMock.mockResolvedValue(
      new Set(['group:default/payments-team']),
    );
    const { get, authorizeConditional, getEntitiesByRefs } = setUp({
      withDatabase: true,
    });
    for (let i = 0; i < 2; i++) {
      const res = await get(mockCredentials.user.header(MEMBER)).expect(200);
      expect(targets(res.body)).toEqual([
        'ownedBy group:default/payments-team',
      ]);
    }
    expect(getEntitiesByRefs).not.toHaveBeenCalled();
    expect(authorizeConditional).toHaveBeenCalledTimes(2);
    expect(readableRefsInCatalogMock).toHaveBeenCalledTimes(2);
    const [db, refs, params] = readableRefsInCatalogMock.mock.calls[0];
    expect(db).toEqual({ catalogDatabase: true });
    // The owner its spec names is kept whatever its visibility, so it is not looked up.
    expect([...refs]).toEqual(['component:default/ledger']);
    expect(params).toEqual({
      relation: 'readableBy',
      claims: ['user:default/bob', 'group:default/payments-team'],
    });
  });

  it('makes no lookup for a member when the only entities named are the owners and systems the specs name', async () => {
    readableRefsInCatalogMock.mockReset();
    const { get, getEntitiesByRefs } = setUp({ withDatabase: true });
    const res = await get(mockCredentials.user.header(MEMBER), 'ledger').expect(
      200,
    );
    // Kept although bob may not read the owner: the spec he may read names it anyway.
    expect(targets(res.body)).toEqual(['ownedBy group:default/secret-team']);
    expect(readableRefsInCatalogMock).not.toHaveBeenCalled();
    expect(getEntitiesByRefs).not.toHaveBeenCalled();
  });

  it('without the catalog’s database, looks up through the catalog, with the user’s credentials, what a member may read, and removes the rest', async () => {
    const { get, getEntitiesByRefs } = setUp();
    const res = await get(mockCredentials.user.header(MEMBER)).expect(200);
    expect(targets(res.body)).toEqual(['ownedBy group:default/payments-team']);
    expect(getEntitiesByRefs).toHaveBeenCalledTimes(1);
    const [lookup, options] = getEntitiesByRefs.mock.calls[0];
    expect(lookup.entityRefs).toEqual(['component:default/ledger']);
    expect((options as any).credentials.principal.userEntityRef).toBe(MEMBER);
  });

  it('passes service callers the response unchanged, without asking the policy', async () => {
    const { get, authorizeConditional, getEntitiesByRefs } = setUp();
    const res = await get(mockCredentials.service.header()).expect(200);
    expect(res.body).toEqual(entity);
    expect(authorizeConditional).not.toHaveBeenCalled();
    expect(getEntitiesByRefs).not.toHaveBeenCalled();
  });

  it('with permissions off, only removes the access relations, without asking anyone', async () => {
    const { get, authorizeConditional, getEntitiesByRefs } = setUp({
      hideUnreadable: false,
    });
    const res = await get(mockCredentials.user.header(MEMBER)).expect(200);
    expect(targets(res.body)).toEqual([
      'ownedBy group:default/payments-team',
      'dependsOn component:default/ledger',
    ]);
    expect(authorizeConditional).not.toHaveBeenCalled();
    expect(getEntitiesByRefs).not.toHaveBeenCalled();
  });

  it('answers 503 rather than pass on what it could not check', async () => {
    const { get } = setUp({ permissionsDown: true });
    const res = await get(mockCredentials.user.header(ADMIN)).expect(503);
    expect(res.text).not.toContain('ledger');
  });
});
