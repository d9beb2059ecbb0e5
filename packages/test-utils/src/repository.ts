import { resolve as resolvePath } from 'node:path';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import type { JsonObject } from '@backstage/types';

/** The repository root, where app-config.yaml lives (this package is packages/test-utils). */
export const repoRoot = resolvePackagePath('@portico/test-utils', '../..');

/** The demo organization and software (demo-data/all.yaml), with the kinds it may hold. */
export function demoDataLocation(): JsonObject {
  return {
    type: 'file',
    target: resolvePath(repoRoot, 'demo-data/all.yaml'),
    rules: [
      {
        allow: [
          'User',
          'Group',
          'Component',
          'System',
          'API',
          'Resource',
          'Location',
          'Domain',
          'Template',
        ],
      },
    ],
  };
}

/**
 * The locations app-config.yaml registers, with absolute paths: its relative ones assume
 * packages/backend as the working directory, and tests run from the repository root too.
 */
export function demoCatalogLocations(): JsonObject[] {
  return [
    { type: 'file', target: resolvePath(repoRoot, 'catalog-info.yaml') },
    demoDataLocation(),
  ];
}
