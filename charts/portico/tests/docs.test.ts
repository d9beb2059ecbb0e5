/*
 * The README documents every value, and the schema types every value.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { CHART_DIR } from './helm';

type SchemaNode = {
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
};

const values = parseYaml(
  fs.readFileSync(path.join(CHART_DIR, 'values.yaml'), 'utf8'),
);
const schema: SchemaNode = JSON.parse(
  fs.readFileSync(path.join(CHART_DIR, 'values.schema.json'), 'utf8'),
);
const readme = fs.readFileSync(path.join(CHART_DIR, 'README.md'), 'utf8');

/**
 * The documented keys: walks values.yaml along the schema; a key whose schema has no
 * `properties` (a leaf, a list, or a free-form object such as resources) is one row.
 */
function documentedKeys(
  value: unknown,
  node: SchemaNode,
  prefix: string,
  missingFromSchema: string[],
): string[] {
  if (!node.properties) {
    return [prefix];
  }
  const keys: string[] = [];
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const keyPath = prefix ? `${prefix}.${key}` : key;
    const childSchema = node.properties[key];
    if (!childSchema) {
      missingFromSchema.push(keyPath);
      continue;
    }
    if (!childSchema.type) {
      missingFromSchema.push(`${keyPath} (no type)`);
    }
    keys.push(
      ...documentedKeys(child, childSchema, keyPath, missingFromSchema),
    );
  }
  return keys;
}

const missingFromSchema: string[] = [];
const keys = documentedKeys(values, schema, '', missingFromSchema);

/** Rows of the README's value tables, as trimmed cells, by key (first column). */
const readmeRows = new Map(
  readme
    .split('\n')
    .filter(line => /^\| `[^`]+` +\|/.test(line))
    .map(line => {
      const cells = line
        .replace(/^\|/, '')
        .replace(/\|$/, '')
        .split(' | ')
        .map(cell => cell.trim());
      return [cells[0].replace(/`/g, ''), cells] as const;
    }),
);

describe('documentation of values', () => {
  it('types every value in values.schema.json', () => {
    expect(missingFromSchema).toEqual([]);
    expect(keys.length).toBeGreaterThan(80);
  });

  it('documents every value in the README with type, default and description', () => {
    const undocumented = keys.filter(key => !readmeRows.has(key));
    expect(undocumented).toEqual([]);
    for (const key of keys) {
      const cells = readmeRows.get(key)!;
      expect(cells).toHaveLength(4);
      expect(cells.slice(1).filter(cell => cell === '')).toEqual([]);
    }
  });

  it('documents no value that does not exist', () => {
    expect([...readmeRows.keys()].filter(key => !keys.includes(key))).toEqual(
      [],
    );
  });
});
