import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Writes a one-page mkdocs site into `dir` and a `catalog-info.yaml` beside it whose Component
 * (`name`, owned by `user:default/mock`) points `backstage.io/techdocs-ref` at it, plus any
 * further YAML documents in `moreEntities`. The site names the `search` plugin, which the
 * TechDocs build adds otherwise, so the build leaves the folder as written.
 * Returns the path of the catalog file.
 */
export function writeTechDocsSite(
  dir: string,
  site: { name: string; title: string; text: string; moreEntities?: string[] },
): string {
  mkdirSync(join(dir, 'docs'), { recursive: true });
  writeFileSync(
    join(dir, 'mkdocs.yml'),
    `site_name: ${site.title}\nnav:\n  - Home: index.md\nplugins:\n  - search\n`,
  );
  writeFileSync(
    join(dir, 'docs', 'index.md'),
    `# ${site.title}\n\n${site.text}\n`,
  );
  const component = [
    'apiVersion: backstage.io/v1alpha1',
    'kind: Component',
    'metadata:',
    `  name: ${site.name}`,
    '  annotations:',
    '    backstage.io/techdocs-ref: dir:.',
    'spec: { type: service, lifecycle: production, owner: user:default/mock }',
  ].join('\n');
  const catalogFile = join(dir, 'catalog-info.yaml');
  writeFileSync(
    catalogFile,
    [component, ...(site.moreEntities ?? [])].join('\n---\n'),
  );
  return catalogFile;
}
