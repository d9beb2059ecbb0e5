import {
  AuthService,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { CATALOG_FILTER_EXISTS } from '@backstage/catalog-client';
import { Entity, stringifyEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { DocsBuildStrategy } from '@backstage/plugin-techdocs-node';

const TECHDOCS_REF = 'backstage.io/techdocs-ref';

/**
 * Builds TechDocs ahead of first view, through the TechDocs backend's own
 * sync endpoint (the one the reader calls), so the docs are published and
 * the search collator indexes them before anyone opens them.
 *
 * It is also the TechDocs build strategy: a reader's visit builds only docs
 * this replica has not built yet (a newly registered entity); docs it has
 * built are rebuilt on the schedule alone, so readers of unchanged docs never
 * wait for a rebuild or see a "newer version is being prepared" banner.
 * Backstage's default strategy rebuilds on a visit once the last build is a
 * minute old, and local `dir:` sources never report "not modified".
 */
export class DocsPrebuilder implements DocsBuildStrategy {
  /** Entity uids whose build this prebuilder runs right now. */
  private readonly building = new Set<string>();
  /** When this prebuilder last built each entity's docs, by uid. */
  private readonly builtAt = new Map<string, number>();

  constructor(
    private readonly deps: {
      catalog: CatalogService;
      auth: AuthService;
      discovery: DiscoveryService;
      logger: LoggerService;
      /** How old a build may get before the next run rebuilds it. */
      rebuildAfterMs: number;
      now?: () => number;
    },
  ) {}

  async shouldBuild({ entity }: { entity: Entity }): Promise<boolean> {
    const uid = entity.metadata.uid;
    if (!uid) return true;
    return this.building.has(uid) || !this.builtAt.has(uid);
  }

  /**
   * Builds, one after the other, the docs of every entity with a techdocs-ref
   * annotation that this prebuilder has not built yet (so new entities get
   * theirs at the next run) or built longer than `rebuildAfterMs` ago.
   */
  async buildAll(): Promise<{ built: number; failed: string[] }> {
    const { catalog, auth, logger } = this.deps;
    const { items } = await catalog.getEntities(
      {
        filter: {
          [`metadata.annotations.${TECHDOCS_REF}`]: CATALOG_FILTER_EXISTS,
        },
        fields: ['kind', 'metadata'],
      },
      { credentials: await auth.getOwnServiceCredentials() },
    );
    const now = (this.deps.now ?? Date.now)();
    const due = items.filter(entity => {
      const builtAt = this.builtAt.get(entity.metadata.uid ?? '');
      return builtAt === undefined || now - builtAt >= this.deps.rebuildAfterMs;
    });
    if (due.length === 0) return { built: 0, failed: [] };
    const failed: string[] = [];
    for (const entity of due) {
      try {
        await this.build(entity);
      } catch (error) {
        failed.push(stringifyEntityRef(entity));
        logger.warn(
          `Could not build the docs of ${stringifyEntityRef(entity)}: ${error}`,
        );
      }
    }
    logger.info(
      `Built the docs of ${due.length - failed.length} of ${
        due.length
      } entities`,
    );
    return { built: due.length - failed.length, failed };
  }

  /** Builds one entity's docs, and resolves once they are published. */
  async build(entity: Entity): Promise<void> {
    const { auth, discovery } = this.deps;
    const uid = entity.metadata.uid;
    if (!uid) {
      throw new Error(`${stringifyEntityRef(entity)} has no uid`);
    }
    this.building.add(uid);
    try {
      const baseUrl = await discovery.getBaseUrl('techdocs');
      const { token } = await auth.getPluginRequestToken({
        onBehalfOf: await auth.getOwnServiceCredentials(),
        targetPluginId: 'techdocs',
      });
      const path = [
        entity.metadata.namespace ?? 'default',
        entity.kind,
        entity.metadata.name,
      ]
        .map(encodeURIComponent)
        .join('/');
      const response = await fetch(`${baseUrl}/sync/${path}`, {
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'text/event-stream',
        },
      });
      // The sync endpoint streams log events and ends with a finish or an error event.
      const events = await response.text();
      if (!response.ok || !/^event: finish$/m.test(events)) {
        const error = /^event: error\ndata: (.*)$/m.exec(events)?.[1];
        throw new Error(
          `the TechDocs build answered ${response.status}${
            error ? `: ${error}` : ''
          }`,
        );
      }
      this.builtAt.set(uid, (this.deps.now ?? Date.now)());
    } finally {
      this.building.delete(uid);
    }
  }
}
