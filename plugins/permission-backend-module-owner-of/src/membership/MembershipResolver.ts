import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import {
  DEFAULT_NAMESPACE,
  Entity,
  RELATION_MEMBER_OF,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { LRUCache } from 'lru-cache';
import { createMembershipMetrics } from '../metrics/membershipMetrics';

/**
 * A user's claims: their own ref and every group they count as a member of,
 * each with the chain of refs that leads to it from the user.
 *
 * @public
 */
export type ResolvedClaims = {
  userRef: string;
  /** The user ref first, then groups nearest first. All lowercase. */
  claims: string[];
  /** For each claim, the path from the user to it, e.g. user → squad → team. */
  via: Map<string, string[]>;
};

type GroupGraph = Map<string, string[]>;

const GRAPH_KEY = 'groups';

const MAX_CACHED_USERS = 10_000;

function groupRef(ref: string, namespace: string): string | undefined {
  try {
    const parsed = parseEntityRef(ref, {
      defaultKind: 'group',
      defaultNamespace: namespace,
    });
    return parsed.kind.toLowerCase() === 'group'
      ? stringifyEntityRef(parsed).toLowerCase()
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Resolves which groups a user belongs to from the catalog, with service
 * credentials: the User entity's `memberOf` relations (which cover both
 * `spec.memberOf` and groups listing the user in `spec.members`), then,
 * when nested groups are on, every ancestor through `spec.parent` and
 * `spec.children`, with protection against cycles.
 *
 * Both the user's direct groups and the whole group hierarchy are cached for
 * `refreshMs`, so a membership change in the catalog reaches decisions
 * within that time, with no new sign-in.
 *
 * @public
 */
export class MembershipResolver {
  private readonly catalog: CatalogService;
  private readonly auth: AuthService;
  private readonly logger: LoggerService;
  private readonly nestedGroups: boolean;
  private readonly refreshMs: number;
  private readonly now: () => number;
  private readonly graph: LRUCache<string, GroupGraph>;
  private readonly users: LRUCache<string, string[]>;
  private readonly metrics = createMembershipMetrics();

  constructor(options: {
    catalog: CatalogService;
    auth: AuthService;
    logger: LoggerService;
    nestedGroups: boolean;
    refreshMs: number;
    now?: () => number;
  }) {
    this.catalog = options.catalog;
    this.auth = options.auth;
    this.logger = options.logger;
    this.nestedGroups = options.nestedGroups;
    this.refreshMs = options.refreshMs;
    this.now = options.now ?? Date.now;
    this.graph = this.cache(1, () => this.loadGroupGraph());
    this.users = this.cache(MAX_CACHED_USERS, userRef =>
      this.loadDirectGroups(userRef),
    );
  }

  /**
   * A cache of at most `max` values, each loaded once (concurrent lookups share the load), kept
   * for `refreshMs` counted from the start of its load (so it is never older than that when
   * served), and dropped when the load fails. With `refreshMs` 0 nothing is kept (see
   * `lookup`); lru-cache would read a ttl of 0 as "forever".
   */
  private cache<V extends {}>(
    max: number,
    load: (key: string) => Promise<V>,
  ): LRUCache<string, V> {
    const ttl = Math.max(this.refreshMs, 1);
    return new LRUCache<string, V>({
      max,
      ttl,
      // Staleness is checked against the clock each time, never a reading a millisecond old.
      ttlResolution: 0,
      // lru-cache reads a start time of 0 as "never stored"; a clock shifted by one keeps every
      // age the same and never reads 0.
      perf: { now: () => this.now() + 1 },
      fetchMethod: async (key, _stale, { options }) => {
        const startedAt = this.now();
        const value = await load(key);
        // lru-cache counts from when the value is stored and expires it once older than its
        // ttl: this expires it `refreshMs` after the load started.
        options.ttl = Math.max(1, ttl - (this.now() - startedAt) - 1);
        return value;
      },
    });
  }

  /**
   * A value from one of the caches, and whether it is served from the cache (a hit) rather than
   * loaded or waited for (a miss), known as soon as it is asked for.
   */
  private lookup<V extends {}>(
    cache: LRUCache<string, V>,
    key: string,
  ): { value: Promise<V>; hit: boolean } {
    const status: LRUCache.Status<string, V> = {};
    const pending = cache.fetch(key, { status });
    const value = pending.then(loaded => {
      if (this.refreshMs === 0) {
        // Every lookup loads afresh; only lookups made while a load runs share it.
        cache.delete(key);
      }
      if (loaded === undefined) {
        throw new Error(`No value loaded for ${key}`);
      }
      return loaded;
    });
    return { value, hit: status.fetch === 'hit' };
  }

  async resolve(userEntityRef: string): Promise<ResolvedClaims> {
    const startedAt = performance.now();
    try {
      return await this.resolveClaims(userEntityRef);
    } finally {
      this.metrics.resolutionDuration.record(
        (performance.now() - startedAt) / 1000,
      );
    }
  }

  private async resolveClaims(userEntityRef: string): Promise<ResolvedClaims> {
    const userRef = userEntityRef.toLowerCase();
    const [direct, graph] = await Promise.all([
      this.directGroups(userRef),
      this.nestedGroups
        ? this.lookup(this.graph, GRAPH_KEY).value
        : Promise.resolve<GroupGraph>(new Map()),
    ]);

    const via = new Map<string, string[]>([[userRef, [userRef]]]);
    const queue: string[] = [];
    for (const group of direct) {
      if (!via.has(group)) {
        via.set(group, [userRef, group]);
        queue.push(group);
      }
    }
    // Breadth first, so each group is reached through its shortest chain and
    // a cycle in the hierarchy ends when it meets a group already seen.
    while (queue.length > 0) {
      const group = queue.shift()!;
      for (const parent of graph.get(group) ?? []) {
        if (!via.has(parent)) {
          via.set(parent, [...via.get(group)!, parent]);
          queue.push(parent);
        }
      }
    }
    return { userRef, claims: [...via.keys()], via };
  }

  private directGroups(userRef: string): Promise<string[]> {
    const { value, hit } = this.lookup(this.users, userRef);
    this.metrics.cacheLookups.add(1, { result: hit ? 'hit' : 'miss' });
    return value;
  }

  private async loadDirectGroups(userRef: string): Promise<string[]> {
    const { items } = await this.catalog.getEntitiesByRefs(
      { entityRefs: [userRef], fields: ['kind', 'metadata', 'relations'] },
      { credentials: await this.auth.getOwnServiceCredentials() },
    );
    const user = items[0];
    if (!user) {
      this.logger.debug(
        `No user entity ${userRef} in the catalog; it gets no group claims`,
      );
      return [];
    }
    const groups = new Set<string>();
    for (const relation of user.relations ?? []) {
      if (relation.type === RELATION_MEMBER_OF) {
        const ref = groupRef(relation.targetRef, DEFAULT_NAMESPACE);
        if (ref) {
          groups.add(ref);
        }
      }
    }
    return [...groups];
  }

  /**
   * Loads every group's parents in one paged query. Only the small
   * `spec.parent` and `spec.children` fields are fetched: a group's
   * relations also list everything it owns and all its members.
   */
  private async loadGroupGraph(): Promise<GroupGraph> {
    const credentials = await this.auth.getOwnServiceCredentials();
    const parents: GroupGraph = new Map();
    const addEdge = (child: string | undefined, parent: string | undefined) => {
      if (!child || !parent || child === parent) {
        return;
      }
      const list = parents.get(child) ?? [];
      if (!list.includes(parent)) {
        list.push(parent);
      }
      parents.set(child, list);
    };
    const pages = this.catalog.streamEntities(
      {
        filter: { kind: 'Group' },
        fields: [
          'kind',
          'metadata.namespace',
          'metadata.name',
          'spec.parent',
          'spec.children',
        ],
        pageSize: 1000,
      },
      { credentials },
    );
    for await (const page of pages) {
      for (const group of page as Entity[]) {
        const namespace = group.metadata.namespace ?? DEFAULT_NAMESPACE;
        const self = groupRef(stringifyEntityRef(group), namespace);
        const parent = group.spec?.parent;
        if (typeof parent === 'string') {
          addEdge(self, groupRef(parent, namespace));
        }
        const children = group.spec?.children;
        if (Array.isArray(children)) {
          for (const child of children) {
            if (typeof child === 'string') {
              addEdge(groupRef(child, namespace), self);
            }
          }
        }
      }
    }
    return parents;
  }
}
