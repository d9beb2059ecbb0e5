import {
  AuthService,
  BackstageCredentials,
  PermissionsService,
  PermissionsServiceRequestOptions,
} from '@backstage/backend-plugin-api';
import {
  AuthorizePermissionRequest,
  AuthorizePermissionResponse,
  PolicyDecision,
  QueryPermissionRequest,
} from '@backstage/plugin-permission-common';
import { LRUCache } from 'lru-cache';

/** Longest time a user's decision is reused, whatever the membership refresh. */
export const MAX_DECISION_REUSE_MS = 10_000;

/**
 * A plugin's permissions service that reuses a user's conditional decisions (the ones lists and
 * lookups ask for, one per request) for a few seconds instead of asking the permission backend
 * on every request. The owner-of policy decides from the user's memberships alone, which it
 * already reuses for `permission.ownerOf.membershipRefresh`; its conditions name the user's
 * claims and the plugin evaluates them on its current data, so a new grant on an entity counts
 * at once. A decision is reused for `ttlMs`, at most 10 s and never longer than the membership
 * refresh (with a refresh of 0, nothing is reused). Decisions on one resource (`authorize`) and
 * services' decisions are passed through: they depend on the resource, or need no round trip.
 * Backstage's permission client has no decision cache of its own.
 */
export class DecisionReusingPermissions implements PermissionsService {
  private readonly inner: PermissionsService;
  private readonly auth: AuthService;
  private readonly decisions?: LRUCache<string, PolicyDecision>;

  constructor(options: {
    inner: PermissionsService;
    auth: AuthService;
    ttlMs: number;
    maxEntries?: number;
    /** The clock, in milliseconds (tests move it). */
    now?: () => number;
  }) {
    this.inner = options.inner;
    this.auth = options.auth;
    const ttl = Math.min(options.ttlMs, MAX_DECISION_REUSE_MS);
    if (ttl > 0) {
      this.decisions = new LRUCache({
        // Bounded by a size of one per decision rather than by `max`, with which lru-cache
        // allocates all its slots up front: every plugin has its own permissions service, and
        // 20 caches of 50,000 slots took about 130 ms of the backend's start and 35 MB of heap.
        maxSize: options.maxEntries ?? 50_000,
        sizeCalculation: () => 1,
        ttl,
        ...(options.now
          ? { perf: { now: options.now }, ttlResolution: 0 }
          : {}),
      });
    }
  }

  authorize(
    requests: AuthorizePermissionRequest[],
    options: PermissionsServiceRequestOptions,
  ): Promise<AuthorizePermissionResponse[]> {
    return this.inner.authorize(requests, options);
  }

  async authorizeConditional(
    requests: QueryPermissionRequest[],
    options: PermissionsServiceRequestOptions,
  ): Promise<PolicyDecision[]> {
    const user = this.userOf(options.credentials);
    const decisions = this.decisions;
    if (!user || !decisions) {
      return this.inner.authorizeConditional(requests, options);
    }
    const keys = requests.map(r => `${user}\n${r.permission.name}`);
    const result = keys.map(key => decisions.get(key));
    const missing = requests.filter((_, i) => result[i] === undefined);
    if (missing.length === 0) {
      return result as PolicyDecision[];
    }
    const fresh = await this.inner.authorizeConditional(missing, options);
    let next = 0;
    return result.map((cached, i) => {
      if (cached) return cached;
      const decision = fresh[next++];
      decisions.set(keys[i], decision);
      return decision;
    });
  }

  private userOf(credentials?: BackstageCredentials): string | undefined {
    if (credentials && this.auth.isPrincipal(credentials, 'user')) {
      return credentials.principal.userEntityRef;
    }
    return undefined;
  }
}
