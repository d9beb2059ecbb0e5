import { KubernetesValidatorFunctions } from '@backstage/catalog-model';
import {
  AccessAction,
  DEFAULT_ANNOTATION_PREFIXES,
  GRANTABLE_PERMISSIONS,
} from './constants';

/**
 * One grant read from one annotation.
 *
 * @public
 */
export type Grant = {
  /** Normalized, lowercase `user:<namespace>/<name>` or `group:<namespace>/<name>`. */
  subjectRef: string;
  /** The actions the annotation's value lists; never empty. */
  actions: Set<AccessAction>;
  /** The annotation key the grant came from. */
  annotation: string;
};

/**
 * Result of {@link parseGrants}.
 *
 * @public
 */
export type GrantParseResult = {
  grants: Grant[];
  /** Human readable descriptions of everything that was ignored. */
  problems: string[];
};

const grantableByName = new Map<string, AccessAction>(
  Object.entries(GRANTABLE_PERMISSIONS),
);
const grantableList = [...grantableByName.keys()].join(', ');

/**
 * Normalizes configured annotation prefixes: trims them, drops a trailing
 * slash and empty entries, and removes duplicates.
 *
 * @public
 */
export function normalizeAnnotationPrefixes(
  prefixes: readonly string[],
): string[] {
  const result = new Set<string>();
  for (const prefix of prefixes) {
    if (typeof prefix !== 'string') {
      continue;
    }
    const trimmed = prefix.trim().replace(/\/+$/, '');
    if (trimmed) {
      result.add(trimmed);
    }
  }
  return [...result];
}

type SubjectParse = { subjectRef: string } | { problem: string };

/**
 * Parses the part of a grant annotation key after `<prefix>/`.
 *
 * Rule: segments are separated by dots. The first segment is the kind
 * (`user` or `group`). With exactly two segments the second is the name and
 * the namespace is `default`. With three or more, the second segment is the
 * namespace (namespaces never contain dots) and everything after it, dots
 * included, is the name. So `group.team-a` is `group:default/team-a`,
 * `group.ops.team-a` is `group:ops/team-a`, and a user named `john.doe` in
 * the default namespace is written `user.default.john.doe`.
 */
function parseSubject(rest: string): SubjectParse {
  const firstDot = rest.indexOf('.');
  if (firstDot < 0) {
    return {
      problem: `expected <user|group>.<name> or <user|group>.<namespace>.<name> after the prefix, got '${rest}'`,
    };
  }
  const kind = rest.slice(0, firstDot).toLowerCase();
  if (kind !== 'user' && kind !== 'group') {
    return {
      problem: `subject kind '${rest.slice(
        0,
        firstDot,
      )}' is neither 'user' nor 'group'`,
    };
  }
  const remainder = rest.slice(firstDot + 1);
  const secondDot = remainder.indexOf('.');
  const rawNamespace =
    secondDot < 0 ? 'default' : remainder.slice(0, secondDot);
  const name = secondDot < 0 ? remainder : remainder.slice(secondDot + 1);
  // Namespaces are case-insensitive ASCII DNS labels. Testing for ASCII first
  // keeps characters that only lowercase to ASCII (such as the Kelvin sign)
  // out.
  if (
    !/^[A-Za-z0-9-]+$/.test(rawNamespace) ||
    !KubernetesValidatorFunctions.isValidNamespace(rawNamespace.toLowerCase())
  ) {
    return { problem: `'${rawNamespace}' is not a valid namespace` };
  }
  const namespace = rawNamespace.toLowerCase();
  if (!KubernetesValidatorFunctions.isValidObjectName(name)) {
    return { problem: `'${name}' is not a valid ${kind} name` };
  }
  return { subjectRef: `${kind}:${namespace}/${name}`.toLowerCase() };
}

/**
 * Reads grant annotations of the form
 * `<prefix>/<user|group>.[<namespace>.]<name>: '<permission>, <permission>'`.
 *
 * Accepted permissions are `catalog.entity.read`, `catalog.entity.delete`,
 * `catalog.entity.refresh` and `catalog.entity.update` (an alias of refresh).
 * Anything else under a grant prefix (unknown or misspelled permissions,
 * malformed keys, empty values, non-string values) is reported in
 * `problems` and grants nothing. Never throws.
 *
 * @public
 */
export function parseGrants(
  annotations: unknown,
  prefixes: readonly string[] = DEFAULT_ANNOTATION_PREFIXES,
): GrantParseResult {
  const grants: Grant[] = [];
  const problems: string[] = [];
  if (
    typeof annotations !== 'object' ||
    annotations === null ||
    Array.isArray(annotations)
  ) {
    return { grants, problems };
  }
  const keyPrefixes = normalizeAnnotationPrefixes(prefixes).map(p => `${p}/`);

  for (const [key, value] of Object.entries(annotations)) {
    const keyPrefix = keyPrefixes.find(p => key.startsWith(p));
    if (!keyPrefix) {
      continue;
    }
    const subject = parseSubject(key.slice(keyPrefix.length));
    if ('problem' in subject) {
      problems.push(`Grant annotation '${key}': ${subject.problem}; ignored`);
      continue;
    }
    if (typeof value !== 'string') {
      problems.push(
        `Grant annotation '${key}': value must be a comma separated list of permissions; ignored`,
      );
      continue;
    }
    const tokens = value
      .split(',')
      .map(token => token.trim())
      .filter(token => token.length > 0);
    if (tokens.length === 0) {
      problems.push(`Grant annotation '${key}': empty value; ignored`);
      continue;
    }
    const actions = new Set<AccessAction>();
    for (const token of tokens) {
      const action = grantableByName.get(token);
      if (action) {
        actions.add(action);
      } else {
        problems.push(
          `Grant annotation '${key}': unknown permission '${token}' ignored; accepted are ${grantableList}`,
        );
      }
    }
    if (actions.size > 0) {
      grants.push({ subjectRef: subject.subjectRef, actions, annotation: key });
    }
  }
  return { grants, problems };
}
