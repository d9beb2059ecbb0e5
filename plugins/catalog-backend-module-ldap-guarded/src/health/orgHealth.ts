import { AuthService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { parseGrants } from '@portico/plugin-owner-of-common';

/** A grant annotation whose user or group does not exist. @public */
export type DanglingGrant = {
  entityRef: string;
  annotation: string;
  subjectRef: string;
};

/** What is wrong with the organization as the owner-of policy sees it. @public */
export type OrgWarnings = {
  /** `permission.adminRefs` entries naming no user or group in the catalog. */
  missingAdminRefs: string[];
  danglingGrants: DanglingGrant[];
};

const PAGE = 1000;

async function allRefs(
  catalog: CatalogService,
  credentials: Awaited<ReturnType<AuthService['getOwnServiceCredentials']>>,
  filter: Record<string, string | string[]>,
  fields: string[],
  visit: (entity: any) => void,
) {
  let cursor: string | undefined;
  do {
    const page: any = await catalog.queryEntities(
      cursor
        ? { cursor, limit: PAGE, fields }
        : { filter, limit: PAGE, fields },
      { credentials },
    );
    page.items.forEach(visit);
    cursor = page.pageInfo?.nextCursor;
  } while (cursor);
}

/**
 * Finds admin refs and grant annotations that name nobody: a typo in either
 * silently gives nobody the access it was meant to give.
 */
export async function checkOrgWarnings(options: {
  catalog: CatalogService;
  auth: AuthService;
  adminRefs: string[];
  annotationPrefixes: string[];
}): Promise<OrgWarnings> {
  const { catalog, auth, adminRefs, annotationPrefixes } = options;
  const credentials = await auth.getOwnServiceCredentials();
  const existing = new Set<string>();
  await allRefs(
    catalog,
    credentials,
    { kind: ['user', 'group'] },
    ['kind', 'metadata.name', 'metadata.namespace'],
    entity => existing.add(stringifyEntityRef(entity).toLowerCase()),
  );

  const danglingGrants: DanglingGrant[] = [];
  await allRefs(
    catalog,
    credentials,
    {},
    ['kind', 'metadata.name', 'metadata.namespace', 'metadata.annotations'],
    entity => {
      const annotations = entity.metadata?.annotations;
      if (!annotations) {
        return;
      }
      for (const grant of parseGrants(annotations, annotationPrefixes).grants) {
        if (!existing.has(grant.subjectRef)) {
          danglingGrants.push({
            entityRef: stringifyEntityRef(entity).toLowerCase(),
            annotation: grant.annotation,
            subjectRef: grant.subjectRef,
          });
        }
      }
    },
  );

  return {
    missingAdminRefs: adminRefs.filter(ref => !existing.has(ref)),
    danglingGrants,
  };
}

/** One log line per warning, naming where to fix it. */
export function describeOrgWarnings(warnings: OrgWarnings): string[] {
  return [
    ...warnings.missingAdminRefs.map(
      ref =>
        `permission.adminRefs entry '${ref}' names no user or group in the catalog: it makes nobody an admin`,
    ),
    ...warnings.danglingGrants.map(
      grant =>
        `Grant annotation '${grant.annotation}' on ${grant.entityRef} names ${grant.subjectRef}, which is not in the catalog: it grants nothing`,
    ),
  ];
}
