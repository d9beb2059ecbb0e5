import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import {
  DEFAULT_NAMESPACE,
  Entity,
  RELATION_MEMBER_OF,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
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

/** A value loaded on demand and kept for a fixed time. */
class ExpiringValue<T> {
  private value?: { data: T; loadedAt: number };
  private inflight?: Promise<T>;

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  isExpired(): boolean {
    return !this.value || this.now() - this.value.loadedAt >= this.ttlMs;
  }

  get(load: () => Promise<T>): Promise<T> {
    if (!this.isExpired()) {
      return Promise.resolve(this.value!.data);
    }
    if (!this.inflight) {
      const startedAt = this.now();
      this.inflight = load()
        .then(data => {
          // Age counts from the start of the load, so the data is never
          // older than the refresh interval when it is served.
          this.value = { data, loadedAt: startedAt };
          return data;
        })
        .finally(() => {
          this.inflight = undefined;
        });
    }
    return this.inflight;
  }
}

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
  private readonly graph: ExpiringValue<GroupGraph>;
  private readonly users = new Map<string, ExpiringValue<string[]>>();
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
    this.graph = new ExpiringValue(this.refreshMs, this.now);
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
        ? this.graph.get(() => this.loadGroupGraph())
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
    let entry = this.users.get(userRef);
    if (!entry) {
      if (this.users.size >= MAX_CACHED_USERS) {
        for (const [key, value] of this.users) {
          if (value.isExpired()) {
            this.users.delete(key);
          }
        }
      }
      entry = new ExpiringValue<string[]>(this.refreshMs, this.now);
      this.users.set(userRef, entry);
    }
    this.metrics.cacheLookups.add(1, {
      result: entry.isExpired() ? 'miss' : 'hit',
    });
    return entry.get(() => this.loadDirectGroups(userRef));
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
