/*
 * Paging through the catalog with its cursors, forwards and back, in both orders, with names that
 * tie across namespaces: every entity exactly once, in order. The catalog backend carries a patch
 * (.yarn/patches/@backstage-plugin-catalog-backend-npm-4.0.5-*.patch, see the workarounds table
 * in plugins/catalog-backend-module-upstream-workarounds/README.md) that bounds a cursor page's
 * sort value, so that its index scan starts at the cursor instead of at the first name; this test
 * checks the statement carries the bound and that paging still returns what it did.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestDatabases, mockCredentials } from '@backstage/backend-test-utils';
import catalogBackend from '@backstage/plugin-catalog-backend';
import { startUserScopedBackend, UserScopedBackend } from '@portico/test-utils';

jest.setTimeout(180_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

/** 26 names, three of them in three namespaces and one in two: 33 components. */
function pagingCatalog(): string {
  const names = Array.from(
    { length: 24 },
    (_, i) => `paged-${String(i).padStart(2, '0')}`,
  );
  const tied = ['paged-05', 'paged-17', 'paged-23'];
  const docs = [
    ...names.map(name => ({ name, namespace: 'default' })),
    ...tied.flatMap(name => [
      { name, namespace: 'north' },
      { name, namespace: 'south' },
    ]),
    { name: 'Paged-Mixed-Case', namespace: 'default' },
    { name: 'paged-zz', namespace: 'north' },
    { name: 'paged-zz', namespace: 'south' },
  ].map(
    ({ name, namespace }) => `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ${name}
  namespace: ${namespace}
  tags: [paging]
spec:
  type: service
  lifecycle: production
  owner: group:default/payments-team
`,
  );
  return docs.join('---\n');
}

type Row = {
  kind: string;
  metadata: { namespace: string; name: string; uid: string };
};
type Page = {
  items: Row[];
  totalItems: number;
  pageInfo: { nextCursor?: string; prevCursor?: string };
};

const FIELDS = 'kind,metadata.namespace,metadata.name,metadata.uid';
const ref = (row: Row) => `${row.metadata.namespace}/${row.metadata.name}`;

describe.each(databases.eachSupportedId())(
  'cursor paging through the catalog on %s',
  databaseId => {
    let t: UserScopedBackend;
    const statements: string[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'portico-cursor-paging-'));
    const catalogFile = join(dir, 'paging.yaml');
    writeFileSync(catalogFile, pagingCatalog());

    beforeAll(async () => {
      t = await startUserScopedBackend({
        databases,
        databaseId,
        features: [catalogBackend],
        overrides: {
          catalog: {
            locations: [{ type: 'file', target: catalogFile }],
          },
        },
      });
      (await t.pluginDatabase('catalog')).on(
        'query',
        (query: { sql: string }) =>
          statements.push(query.sql.replace(/[`"]/g, '')),
      );
    });

    afterAll(async () => {
      await t?.backend.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    async function page(query: Record<string, string | number>): Promise<Page> {
      const res = await t
        .http()
        .get('/api/catalog/entities/by-query')
        .query({ ...query, fields: FIELDS })
        .set({ authorization: mockCredentials.service.header() });
      expect(res.status).toBe(200);
      return res.body;
    }

    /** Every page from the first, following `nextCursor`; then back, following `prevCursor`. */
    async function pageThrough(order: 'asc' | 'desc', limit: number) {
      const forward: Page[] = [
        await page({
          filter: 'kind=component,metadata.tags=paging',
          orderField: `metadata.name,${order}`,
          limit,
        }),
      ];
      while (forward.at(-1)!.pageInfo.nextCursor) {
        forward.push(
          await page({ cursor: forward.at(-1)!.pageInfo.nextCursor!, limit }),
        );
      }
      const backward: Page[] = [forward.at(-1)!];
      while (backward.at(-1)!.pageInfo.prevCursor) {
        backward.push(
          await page({ cursor: backward.at(-1)!.pageInfo.prevCursor!, limit }),
        );
      }
      return { forward, backward };
    }

    /** The order the catalog sorts in: lowercased name, then entity id (the uid). */
    function expectedOrder(rows: Row[], order: 'asc' | 'desc'): string[] {
      const key = (row: Row) => [
        row.metadata.name.toLowerCase(),
        row.metadata.uid,
      ];
      const sorted = [...rows].sort((a, b) => {
        const [nameA, idA] = key(a);
        const [nameB, idB] = key(b);
        if (nameA !== nameB) return nameA < nameB ? -1 : 1;
        return idA < idB ? -1 : 1;
      });
      return (order === 'asc' ? sorted : sorted.reverse()).map(ref);
    }

    it.each([
      ['asc', 4],
      ['desc', 4],
      ['asc', 2],
      ['desc', 7],
    ] as const)(
      'pages %s, %i a page, forwards and back: every component once, in order',
      async (order, limit) => {
        const { forward, backward } = await pageThrough(order, limit);
        const all = forward.flatMap(p => p.items);
        expect(all).toHaveLength(33);
        expect(new Set(all.map(ref)).size).toBe(33);
        expect(forward.every(p => p.totalItems === 33)).toBe(true);
        expect(all.map(ref)).toEqual(expectedOrder(all, order));
        // Back from the last page: the same pages, each with the same entities.
        expect([...backward].reverse().map(p => p.items.map(ref))).toEqual(
          forward.map(p => p.items.map(ref)),
        );
      },
    );

    it("bounds a cursor page's sort value by the cursor's, so its index scan starts there", async () => {
      statements.length = 0;
      await pageThrough('asc', 10);
      // Placeholders are ? on SQLite and $n on PostgreSQL.
      const bound = (operator: string) =>
        new RegExp(`filtered\\.value ${operator} (\\?|\\$\\d+)`);
      expect(statements.filter(sql => bound('>=').test(sql))).not.toHaveLength(
        0,
      );
      // Back towards the first page of an ascending order is a descending walk.
      expect(statements.filter(sql => bound('<=').test(sql))).not.toHaveLength(
        0,
      );
    });
  },
);
