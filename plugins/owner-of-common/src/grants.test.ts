import fc from 'fast-check';
import { parseGrants, normalizeAnnotationPrefixes } from './grants';
import { AccessAction } from './constants';

const P = 'backstage.tanzu.vmware.com';

function actionsOf(result: ReturnType<typeof parseGrants>) {
  return result.grants.map(g => ({
    subjectRef: g.subjectRef,
    actions: [...g.actions].sort(),
    annotation: g.annotation,
  }));
}

describe('parseGrants', () => {
  it('reads kind.name in the default namespace', () => {
    const result = parseGrants({
      [`${P}/group.logistics-team`]: 'catalog.entity.read',
    });
    expect(actionsOf(result)).toEqual([
      {
        subjectRef: 'group:default/logistics-team',
        actions: ['read'],
        annotation: `${P}/group.logistics-team`,
      },
    ]);
    expect(result.problems).toEqual([]);
  });

  it('reads kind.namespace.name and lowercases the subject', () => {
    const result = parseGrants({
      [`${P}/User.Ops.Carol`]: 'catalog.entity.read, catalog.entity.delete',
    });
    expect(actionsOf(result)).toEqual([
      {
        subjectRef: 'user:ops/carol',
        actions: ['delete', 'read'],
        annotation: `${P}/User.Ops.Carol`,
      },
    ]);
  });

  it('treats everything after the namespace as the name, dots included', () => {
    const result = parseGrants({
      [`${P}/user.default.john.doe`]: 'catalog.entity.read',
      [`${P}/user.john.doe`]: 'catalog.entity.read',
    });
    expect(result.grants.map(g => g.subjectRef)).toEqual([
      'user:default/john.doe',
      'user:john/doe',
    ]);
  });

  it('maps refresh and its Tanzu alias update to refresh, and nothing else', () => {
    const result = parseGrants({
      [`${P}/group.a`]: 'catalog.entity.update',
      [`${P}/group.b`]: 'catalog.entity.refresh',
    });
    expect(actionsOf(result).map(g => g.actions)).toEqual([
      ['refresh'],
      ['refresh'],
    ]);
  });

  it('tolerates whitespace and an empty token between commas', () => {
    const result = parseGrants({
      [`${P}/group.a`]: '  catalog.entity.read ,, catalog.entity.delete , ',
    });
    expect(actionsOf(result)[0].actions).toEqual(['delete', 'read']);
    expect(result.problems).toEqual([]);
  });

  it('reports the misspelled catalog.entities.read and grants nothing for it', () => {
    const key = `${P}/group.a`;
    const result = parseGrants({ [key]: 'catalog.entities.read' });
    expect(result.grants).toEqual([]);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toContain(key);
    expect(result.problems[0]).toContain("'catalog.entities.read'");
  });

  it('keeps the valid permissions of a value that also has unknown ones', () => {
    const result = parseGrants({
      [`${P}/group.a`]:
        'catalog.entity.read, catalog.entity.create, Catalog.Entity.Delete',
    });
    expect(actionsOf(result)[0].actions).toEqual(['read']);
    expect(result.problems).toHaveLength(2);
    expect(result.problems[0]).toContain("'catalog.entity.create'");
    expect(result.problems[1]).toContain("'Catalog.Entity.Delete'");
  });

  it.each([
    ['team-a', 'expected <user|group>'],
    ['system.team-a', "'system' is neither"],
    ['group.', "'' is not a valid group name"],
    ['group.Bad_Ns.x', "'Bad_Ns' is not a valid namespace"],
    ['group.default.-bad-', "'-bad-' is not a valid group name"],
    ['', 'expected <user|group>'],
  ])('reports the malformed key %p', (rest, message) => {
    const key = `${P}/${rest}`;
    const result = parseGrants({ [key]: 'catalog.entity.read' });
    expect(result.grants).toEqual([]);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toContain(`'${key}'`);
    expect(result.problems[0]).toContain(message);
  });

  it('reports empty and non-string values', () => {
    const result = parseGrants({
      [`${P}/group.a`]: '   ',
      [`${P}/group.b`]: ' , ',
      [`${P}/group.c`]: 42,
    });
    expect(result.grants).toEqual([]);
    expect(result.problems).toEqual([
      `Grant annotation '${P}/group.a': empty value; ignored`,
      `Grant annotation '${P}/group.b': empty value; ignored`,
      expect.stringContaining(`'${P}/group.c': value must be`),
    ]);
  });

  it('ignores annotations outside the configured prefixes', () => {
    const result = parseGrants({
      'backstage.io/source-location': 'url:https://example.invalid/',
      [`other.example.com/group.a`]: 'catalog.entity.read',
      [`${P}x/group.a`]: 'catalog.entity.read',
    });
    expect(result).toEqual({ grants: [], problems: [] });
  });

  it('reads every configured prefix', () => {
    const result = parseGrants(
      {
        [`${P}/group.a`]: 'catalog.entity.read',
        'access.harborline.example/user.bob': 'catalog.entity.delete',
      },
      [P, 'access.harborline.example/'],
    );
    expect(result.grants.map(g => g.subjectRef)).toEqual([
      'group:default/a',
      'user:default/bob',
    ]);
  });

  it('returns nothing for inputs that are not annotation maps', () => {
    for (const input of [undefined, null, 'x', 3, [], [['a', 'b']]]) {
      expect(parseGrants(input)).toEqual({ grants: [], problems: [] });
    }
  });

  it('does not treat prototype property names as permissions', () => {
    const result = parseGrants({
      [`${P}/group.a`]: 'constructor, __proto__, toString, hasOwnProperty',
    });
    expect(result.grants).toEqual([]);
    expect(result.problems).toHaveLength(4);
  });
});

describe('normalizeAnnotationPrefixes', () => {
  it('trims, drops trailing slashes, empties and duplicates', () => {
    expect(
      normalizeAnnotationPrefixes([' a.b/ ', 'a.b', '', '  ', 'c//']),
    ).toEqual(['a.b', 'c']);
  });
});

describe('parseGrants fuzzing', () => {
  const permissionTokens = [
    'catalog.entity.read',
    'catalog.entity.delete',
    'catalog.entity.refresh',
    'catalog.entity.update',
    'catalog.entities.read',
    'catalog.entity.create',
    'catalog.location.read',
    'CATALOG.ENTITY.READ',
    '__proto__',
    '',
  ];
  const literalAction: Record<string, AccessAction> = {
    'catalog.entity.read': 'read',
    'catalog.entity.delete': 'delete',
    'catalog.entity.refresh': 'refresh',
    'catalog.entity.update': 'refresh',
  };

  const keyRest = fc.oneof(
    fc.string(),
    fc
      .tuple(
        fc.constantFrom('user', 'group', 'User', 'GROUP', 'system', ''),
        fc.array(
          fc.oneof(
            fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,8}[a-z0-9]$/),
            fc.string({ maxLength: 6 }),
          ),
          { maxLength: 4 },
        ),
      )
      .map(([kind, parts]) => [kind, ...parts].join('.')),
  );
  const value = fc.oneof(
    fc.string(),
    fc
      .tuple(
        fc.array(
          fc.oneof(
            fc.constantFrom(...permissionTokens),
            fc.string({ maxLength: 12 }),
          ),
          { maxLength: 5 },
        ),
        fc.constantFrom(',', ', ', ' ,'),
      )
      .map(([tokens, separator]) => tokens.join(separator)),
    fc.anything(),
  );
  const annotations = fc.dictionary(
    fc.oneof(
      keyRest.map(rest => `${P}/${rest}`),
      fc.string(),
    ),
    value,
    { maxKeys: 8 },
  );

  it('never throws, even for arbitrary values', () => {
    fc.assert(
      fc.property(
        fc.anything(),
        fc.array(fc.string(), { maxLength: 3 }),
        (input, prefixes) => {
          for (const result of [
            parseGrants(input, prefixes),
            parseGrants(input),
          ]) {
            expect(Array.isArray(result.grants)).toBe(true);
            expect(Array.isArray(result.problems)).toBe(true);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('only grants actions literally listed in the annotation value', () => {
    fc.assert(
      fc.property(annotations, input => {
        const result = parseGrants(input);
        for (const grant of result.grants) {
          const raw = (input as Record<string, unknown>)[grant.annotation];
          expect(typeof raw).toBe('string');
          const listed = new Set(
            (raw as string)
              .split(',')
              .map(t => t.trim())
              .filter(t =>
                Object.prototype.hasOwnProperty.call(literalAction, t),
              )
              .map(t => literalAction[t]),
          );
          expect(grant.actions.size).toBeGreaterThan(0);
          for (const action of grant.actions) {
            expect(listed.has(action)).toBe(true);
          }
          // and everything listed is granted
          expect([...listed].sort()).toEqual([...grant.actions].sort());
          expect(grant.subjectRef).toMatch(
            /^(user|group):[a-z0-9-]+\/[a-z0-9._-]+$/,
          );
        }
        for (const problem of result.problems) {
          expect(problem).toMatch(/^Grant annotation '/);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
