/*
 * What the owner-of scripts share: Harborline's organization scaled to any
 * number of components, a catalog + permission backend on a given database
 * (the policy as shipped, its OR variant, without hiding, or disabled), and
 * the wait until the catalog has processed and stitched everything.
 * Used by benchmark.ts (yarn bench owner-of) and scale.ts (yarn bench scale).
 */

import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  TestBackend,
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import scaffolderEntityModel from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import {
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import permissionPlugin from '@backstage/plugin-permission-backend';
import catalogModuleOwnerOf from '@portico/plugin-catalog-backend-module-owner-of';
import { JsonObject } from '@backstage/types';
import { createCatalogConditionalDecision } from '@backstage/plugin-catalog-backend/alpha';
import {
  AuthorizeResult,
  PolicyDecision,
  isResourcePermission,
} from '@backstage/plugin-permission-common';
import {
  ACCESS_RELATIONS,
  CATALOG_ENTITY_RESOURCE_TYPE,
  ENTITY_PERMISSIONS,
  HasAccessRelationParams,
  createAccessRelationCondition,
  isKindSubjectRef,
} from '@portico/plugin-owner-of-common';
import { Knex } from 'knex';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  TestEntityProvider,
  testEntityProviderModule,
} from '../src/__testUtils__/entityProviderModule';
import { actorPreservingAuthFactory } from '@portico/test-utils';
import { readOwnerOfSettings } from '../src/config';
import { MembershipResolver } from '../src/membership/MembershipResolver';
import { OwnerOfPolicy } from '../src/policy/OwnerOfPolicy';

/** The admin of the seeded organization (member of platform-team). */
export const ADMIN = 'user:default/admin-0';
export const PUBLIC_KINDS = ['Template'];

// ---------------------------------------------------------- organization

/** Deterministic pseudo-random numbers, so runs seed the same catalog. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Harborline's shape scaled to `components`: organization → departments →
 * teams → squads, one user per ten components (each in one squad, every
 * fifth also in a second team), one system per fifty components. Components
 * are owned 60 % by squads, 30 % by teams and 10 % by departments; 3 % carry
 * a read grant for another team and 1 % a read and refresh grant for a user.
 */
export function organization(components: number) {
  const next = random(20261123);
  const pick = <T>(items: T[]) => items[Math.floor(next() * items.length)];

  const departments = Math.max(2, Math.round(components / 1000));
  const teamsPerDepartment = 10;
  const squadsPerTeam = 3;
  const entities: Entity[] = [];
  const group = (name: string, type: string, parent?: string) =>
    entities.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Group',
      metadata: { name },
      spec: { type, ...(parent && { parent }), children: [] },
    });

  group('harborline', 'organization');
  const teams: string[] = [];
  const squads: string[] = [];
  const departmentNames: string[] = [];
  for (let d = 0; d < departments; d++) {
    const department = `department-${d}`;
    departmentNames.push(department);
    group(department, 'department', 'harborline');
    for (let t = 0; t < teamsPerDepartment; t++) {
      const team = d === 0 && t === 0 ? 'platform-team' : `team-${d}-${t}`;
      teams.push(team);
      group(team, 'team', department);
      for (let s = 0; s < squadsPerTeam; s++) {
        const squad = `squad-${d}-${t}-${s}`;
        squads.push(squad);
        group(squad, 'squad', team);
      }
    }
  }

  const users: string[] = [];
  const userCount = Math.max(10, Math.round(components / 10));
  for (let u = 0; u < userCount; u++) {
    const name = u === 0 ? 'admin-0' : `user-${u}`;
    users.push(name);
    // user-1 is the measured member: one squad, nothing else.
    let memberOf: string[];
    if (u === 0) {
      memberOf = ['platform-team'];
    } else if (u === 1) {
      memberOf = [squads[squads.length - 1]];
    } else {
      memberOf = [pick(squads), ...(u % 5 === 0 ? [pick(teams)] : [])];
    }
    entities.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'User',
      metadata: { name },
      spec: { profile: { email: `${name}@harborline.example` }, memberOf },
    });
  }

  const systems: string[] = [];
  for (let s = 0; s < Math.max(1, Math.round(components / 50)); s++) {
    const name = `system-${s}`;
    systems.push(name);
    entities.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'System',
      metadata: { name },
      spec: { owner: pick(teams) },
    });
  }

  for (let t = 0; t < 20; t++) {
    entities.push({
      apiVersion: 'scaffolder.backstage.io/v1beta3',
      kind: 'Template',
      metadata: { name: `template-${t}` },
      spec: {
        type: 'service',
        owner: 'platform-team',
        parameters: [],
        steps: [],
      },
    });
  }

  for (let c = 0; c < components; c++) {
    const roll = next();
    let owner: string;
    if (roll < 0.6) {
      owner = pick(squads);
    } else if (roll < 0.9) {
      owner = pick(teams);
    } else {
      owner = pick(departmentNames);
    }
    const annotations: Record<string, string> = {};
    const grant = next();
    if (grant < 0.03) {
      annotations[`backstage.tanzu.vmware.com/group.${pick(teams)}`] =
        'catalog.entity.read';
    } else if (grant < 0.04) {
      annotations[`backstage.tanzu.vmware.com/user.${pick(users)}`] =
        'catalog.entity.read, catalog.entity.update';
    }
    entities.push({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: `component-${c}`, annotations },
      spec: {
        type: pick(['service', 'website', 'library']),
        lifecycle: 'production',
        owner,
        system: pick(systems),
      },
    });
  }
  // What user-1 may read through ownership: components of its squad and of
  // the squad's team and department (nested groups).
  const memberSquad = squads[squads.length - 1];
  const [, d, t] = memberSquad.split('-');
  const memberOwners = new Set([
    memberSquad,
    `team-${d}-${t}`,
    `department-${d}`,
  ]);
  const memberComponents = entities
    .filter(
      e => e.kind === 'Component' && memberOwners.has(e.spec?.owner as string),
    )
    .map(e => stringifyEntityRef(e));
  return { entities, member: 'user:default/user-1', memberComponents };
}

// ---------------------------------------------------------------- backends

export const SETTINGS_CONFIG = {
  adminRefs: ['group:default/platform-team'],
  ownerOf: { publicKinds: PUBLIC_KINDS },
};

/** The shipped policy, but sending read in an OR form (the old decision): claims, or public kinds. */
class OrReadPolicy extends OwnerOfPolicy {
  decide(...decideArgs: Parameters<OwnerOfPolicy['decide']>): PolicyDecision {
    const decision = super.decide(...decideArgs);
    const [permission] = decideArgs;
    if (
      decision.result !== AuthorizeResult.CONDITIONAL ||
      permission.name !== ENTITY_PERMISSIONS.read.name ||
      !isResourcePermission(permission, CATALOG_ENTITY_RESOURCE_TYPE) ||
      !('rule' in decision.conditions)
    ) {
      return decision;
    }
    const { claims } = decision.conditions.params as HasAccessRelationParams;
    const branch = (subjects: string[]) =>
      createAccessRelationCondition({
        relation: ACCESS_RELATIONS.read,
        claims: subjects,
      });
    return createCatalogConditionalDecision(permission, {
      anyOf: [
        branch(claims.filter(claim => !isKindSubjectRef(claim))),
        branch(claims.filter(isKindSubjectRef)),
      ],
    });
  }
}

/** Installs OwnerOfPolicy (or its OR variant) the way the real module does. */
function policyModule(variant: 'indexed' | 'or') {
  return createBackendModule({
    pluginId: 'permission',
    moduleId: 'owner-of-benchmark',
    register({ registerInit }) {
      registerInit({
        deps: {
          policy: policyExtensionPoint,
          config: coreServices.rootConfig,
          auth: coreServices.auth,
          logger: coreServices.logger,
          catalog: catalogServiceRef,
        },
        async init({ policy, config, auth, logger, catalog }) {
          const settings = readOwnerOfSettings(config);
          const membership = new MembershipResolver({
            catalog,
            auth,
            logger,
            nestedGroups: settings.nestedGroups,
            refreshMs: settings.membershipRefreshMs,
          });
          const Policy = variant === 'or' ? OrReadPolicy : OwnerOfPolicy;
          const ownerOf = new Policy({ settings, membership });
          policy.setPolicy({
            handle: (request: PolicyQuery, user?: PolicyQueryUser) =>
              ownerOf.handle(request, user),
          });
        },
      });
    },
  });
}

export const VARIANTS = ['indexed', 'unhidden', 'or', 'disabled'] as const;
export type Variant = (typeof VARIANTS)[number];

export async function startBackend(
  knex: Knex,
  variant: Variant,
  provider: TestEntityProvider,
): Promise<TestBackend> {
  const config: JsonObject = {
    catalog: {
      // Process each seeded entity once; nothing is due again during the run.
      processingInterval: { hours: 24 },
      rules: [{ allow: ['Component', 'System', 'Group', 'User', 'Template'] }],
    },
    permission: {
      enabled: variant !== 'disabled',
      ...SETTINGS_CONFIG,
      ownerOf: {
        ...SETTINGS_CONFIG.ownerOf,
        hideUnreadableRelations: variant !== 'unhidden',
      },
    },
  };
  return startTestBackend({
    features: [
      mockServices.rootConfig.factory({ data: config }),
      mockServices.database.factory({ knex }),
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
      // Keeps the catalog as the actor of its on-behalf-of permission calls,
      // as real auth does; the permission backend refuses them otherwise.
      actorPreservingAuthFactory,
      catalogPlugin,
      scaffolderEntityModel,
      catalogModuleOwnerOf,
      testEntityProviderModule(provider),
      // The permission backend refuses to start without a policy, and with
      // permission.enabled false nothing calls it.
      ...(variant === 'disabled'
        ? []
        : [
            permissionPlugin,
            policyModule(variant === 'or' ? 'or' : 'indexed'),
          ]),
    ],
  });
}

// ---------------------------------------------------------------- seeding

/** One poll of the catalog's progress while it ingests. */
export type IngestionSample = {
  /** Seconds since the wait began. */
  seconds: number;
  processed: number;
  stitched: number;
  toStitch: number;
  /** os.loadavg() at the time. */
  load: number[];
};

/**
 * Polls the database until all `expected` entities are processed and
 * stitched; returns the seconds it took. Each poll is logged to stderr and
 * passed to `onSample`.
 */
export async function waitForCatalog(
  knex: Knex,
  expected: number,
  options: {
    intervalMs?: number;
    onSample?: (s: IngestionSample) => void;
    /** Awaited after each sample, before the next poll is scheduled. */
    beforeNextSample?: (s: IngestionSample) => Promise<void> | void;
  } = {},
) {
  const started = performance.now();
  for (;;) {
    const [{ total, unprocessed }] = await knex('refresh_state').select(
      knex.raw('count(*)::int as total'),
      knex.raw(
        'count(*) filter (where processed_entity is null)::int as unprocessed',
      ),
    );
    const [{ stitching }] = await knex('stitch_queue').select(
      knex.raw('count(*)::int as stitching'),
    );
    const [{ stitched }] = await knex('final_entities')
      .whereNotNull('final_entity')
      .select(knex.raw('count(*)::int as stitched'));
    const sample: IngestionSample = {
      seconds: (performance.now() - started) / 1000,
      processed: total - unprocessed,
      stitched,
      toStitch: stitching,
      load: os.loadavg(),
    };
    options.onSample?.(sample);
    await options.beforeNextSample?.(sample);
    console.error(
      `  ${sample.seconds.toFixed(0)} s: ${
        sample.processed
      }/${expected} processed, ${stitched} stitched, ${stitching} to stitch (load ${sample.load
        .map(l => l.toFixed(1))
        .join(' ')})`,
    );
    if (
      total === expected &&
      unprocessed === 0 &&
      stitching === 0 &&
      stitched === expected
    ) {
      return (performance.now() - started) / 1000;
    }
    await new Promise(resolve =>
      setTimeout(resolve, options.intervalMs ?? 10_000),
    );
  }
}
