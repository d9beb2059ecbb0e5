/*
 * A large catalog file, as a company registers one: many Components in one YAML file, owned by
 * the teams of the Harborline demo organization, so that the owner-of policy gives each demo
 * user a share of them.
 */
import { writeFileSync } from 'node:fs';

/** The teams of the Harborline demo organization (demo-data/org.yaml). */
export const harborlineTeams = [
  'platform-team',
  'payments-team',
  'logistics-team',
  'routing-squad',
  'data-team',
  'mobile-team',
  'web-team',
  'sre-team',
  'support-team',
];

export interface GeneratedComponent {
  name: string;
  owner: string;
}

/** Words for descriptions, so that searches find a spread of components. */
const purposes = [
  'invoice reconciliation',
  'shipment tracking',
  'carrier payouts',
  'route planning',
  'customs declarations',
  'warehouse slotting',
  'delivery notifications',
  'fuel surcharge pricing',
];

/**
 * Writes `count` Components named `<namePrefix>-<n>` into one YAML file, owned round-robin by
 * `owners` (group names). Returns what it wrote.
 */
export function writeGeneratedCatalog(
  file: string,
  options: { count: number; namePrefix: string; owners: string[] },
): GeneratedComponent[] {
  const { count, namePrefix, owners } = options;
  const components: GeneratedComponent[] = [];
  const docs: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = `${namePrefix}-${String(i).padStart(5, '0')}`;
    const owner = owners[i % owners.length];
    const purpose = purposes[Math.floor(i / owners.length) % purposes.length];
    components.push({ name, owner });
    docs.push(
      [
        'apiVersion: backstage.io/v1alpha1',
        'kind: Component',
        'metadata:',
        `  name: ${name}`,
        `  description: Handles ${purpose} for ${owner} (generated component ${i}).`,
        '  tags: [generated]',
        'spec:',
        '  type: service',
        '  lifecycle: production',
        `  owner: group:default/${owner}`,
      ].join('\n'),
    );
  }
  writeFileSync(file, `${docs.join('\n---\n')}\n`);
  return components;
}
