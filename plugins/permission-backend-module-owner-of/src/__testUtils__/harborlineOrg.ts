import { Entity } from '@backstage/catalog-model';

const group = (
  name: string,
  type: string,
  parent?: string,
  annotations?: Record<string, string>,
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, ...(annotations && { annotations }) },
  spec: { type, ...(parent && { parent }), children: [] },
});

const user = (name: string, memberOf: string[]): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name },
  spec: {
    profile: { email: `${name}@harborline.example` },
    memberOf,
  },
});

const component = (
  name: string,
  owner: string,
  annotations?: Record<string, string>,
): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, ...(annotations && { annotations }) },
  spec: { type: 'service', lifecycle: 'production', owner },
});

/**
 * A small Harborline organization: harborline → logistics (department) →
 * logistics-team → routing-squad, plus platform-team (admins), support and
 * marketing. `oscarGroups` lets a test move oscar between groups.
 */
export function harborlineOrg(options: { oscarGroups?: string[] } = {}) {
  return [
    group('harborline', 'organization'),
    group('logistics', 'department', 'harborline'),
    group('logistics-team', 'team', 'logistics'),
    group('routing-squad', 'squad', 'logistics-team'),
    group('platform-team', 'team', 'harborline'),
    group('support', 'team', 'harborline'),
    group('marketing', 'team', 'harborline'),

    user('alice', []),
    user('pete', ['platform-team']),
    user('carol', ['routing-squad']),
    user('lena', ['logistics-team']),
    user('dana', []),
    user('sven', ['support']),
    user('oscar', options.oscarGroups ?? ['marketing']),

    component('route-planner', 'routing-squad', {
      'backstage.tanzu.vmware.com/user.dana': 'catalog.entity.read',
      'backstage.tanzu.vmware.com/group.support':
        'catalog.entity.read, catalog.entity.update',
    }),
    component('depot-sync', 'group:default/logistics-team', {
      'backstage.tanzu.vmware.com/team.support': 'catalog.entity.read',
      'backstage.tanzu.vmware.com/group.support': 'catalog.entities.read',
    }),
    {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'API',
      metadata: { name: 'fleet-api' },
      spec: {
        type: 'openapi',
        lifecycle: 'production',
        owner: 'logistics',
        definition: 'openapi: 3.0.0',
      },
    },
    component('billing-service', 'platform-team'),
    component('marketing-site', 'marketing'),
    component('scratch-service', 'routing-squad'),
    {
      apiVersion: 'scaffolder.backstage.io/v1beta3',
      kind: 'Template',
      metadata: { name: 'new-service' },
      spec: {
        type: 'service',
        owner: 'platform-team',
        parameters: [],
        steps: [],
      },
    },
  ] satisfies Entity[];
}

/** Serializes entities as a multi-document YAML file (JSON is YAML). */
export function toCatalogFile(entities: Entity[]): string {
  return entities.map(e => JSON.stringify(e)).join('\n---\n');
}
