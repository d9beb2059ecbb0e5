import {
  AuditorService,
  AuthService,
  HttpAuthService,
  LoggerService,
  SchedulerService,
  SchedulerServiceTaskScheduleDefinition,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import {
  LdapProviderConfig,
  readProviderConfigs,
} from '@backstage/plugin-catalog-backend-module-ldap';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  MembershipResolver,
  readOwnerOfSettings,
} from '@portico/plugin-permission-backend-module-owner-of';
import { Knex } from 'knex';
import { createOrgHealthRouter } from './health/createOrgHealthRouter';
import { checkOrgWarnings, describeOrgWarnings } from './health/orgHealth';
import { readDirectorySyncSettings } from './settings';
import { GuardedLdapOrgProvider } from './sync/GuardedLdapOrgProvider';
import { SyncStatusStore } from './sync/SyncStatusStore';

const DEFAULT_SCHEDULE: SchedulerServiceTaskScheduleDefinition = {
  frequency: { minutes: 10 },
  timeout: { minutes: 10 },
  initialDelay: { seconds: 5 },
};

/**
 * Everything the module wires: one guarded provider per
 * `catalog.providers.ldapOrg` entry, the status store, the admins' health
 * router and the warnings logged at start-up and after each sync.
 *
 * @public
 */
export class DirectorySync {
  readonly providers: GuardedLdapOrgProvider[];
  readonly store: SyncStatusStore;
  private readonly adminRefs: string[];
  private readonly annotationPrefixes: string[];

  constructor(
    private readonly options: {
      config: Config;
      logger: LoggerService;
      auditor: AuditorService;
      auth: AuthService;
      httpAuth: HttpAuthService;
      catalog: CatalogService;
      knex: Knex;
      scheduler?: SchedulerService;
      /** Replaces each provider's config as read from app-config (tests). */
      readProvider?: (config: LdapProviderConfig) => LdapProviderConfig;
    },
  ) {
    const { config, logger } = options;
    const settings = readDirectorySyncSettings(config);
    const ownerOf = readOwnerOfSettings(config);
    this.adminRefs = ownerOf.adminRefs;
    this.annotationPrefixes = ownerOf.annotationPrefixes;
    this.store = new SyncStatusStore(options.knex);
    this.providers = readProviderConfigs(config).map(
      provider =>
        new GuardedLdapOrgProvider({
          id: provider.id,
          readProvider: () => options.readProvider?.(provider) ?? provider,
          settings,
          store: this.store,
          logger: logger.child({ directoryProvider: provider.id }),
          auditor: options.auditor,
          // In the background: the catalog is still processing what the run wrote
          afterRun: async () => {
            this.logWarnings().catch(() => undefined);
          },
        }),
    );
    this.scheduleOf = new Map(
      readProviderConfigs(config).map(p => [
        p.id,
        p.schedule ?? DEFAULT_SCHEDULE,
      ]),
    );
  }

  private readonly scheduleOf: Map<
    string,
    SchedulerServiceTaskScheduleDefinition
  >;

  /** Schedules every provider's runs; without a scheduler runs are manual. */
  async start() {
    for (const provider of this.providers) {
      await provider.restoreMetrics();
      if (this.options.scheduler) {
        await provider.schedule(
          this.options.scheduler,
          this.scheduleOf.get(provider.id)!,
        );
      }
    }
  }

  private stopped = false;

  /** Ends the start-up warnings check at shutdown. */
  stop() {
    this.stopped = true;
  }

  warnings() {
    return checkOrgWarnings({
      catalog: this.options.catalog,
      auth: this.options.auth,
      adminRefs: this.adminRefs,
      annotationPrefixes: this.annotationPrefixes,
    });
  }

  /** Logs each admin ref and grant that names nobody; returns the lines. */
  async logWarnings(): Promise<string[]> {
    try {
      const lines = describeOrgWarnings(await this.warnings());
      for (const line of lines) {
        this.options.logger.warn(line);
      }
      return lines;
    } catch (error) {
      this.options.logger.warn(
        `Could not check the organization for admin refs and grants naming nobody: ${error}`,
      );
      return [];
    }
  }

  /**
   * Logs the warnings once the catalog holds users, so a start-up before
   * the first ingestion does not report every admin ref as missing.
   */
  async logWarningsWhenCatalogHasUsers(
    options: {
      intervalMs?: number;
      timeoutMs?: number;
    } = {},
  ) {
    const deadline = Date.now() + (options.timeoutMs ?? 15 * 60_000);
    while (Date.now() < deadline && !this.stopped) {
      const { items } = await this.options.catalog.queryEntities(
        { filter: { kind: 'user' }, limit: 1, fields: ['kind'] },
        { credentials: await this.options.auth.getOwnServiceCredentials() },
      );
      if (items.length > 0) {
        await this.logWarnings();
        return;
      }
      await new Promise(resolve =>
        setTimeout(resolve, options.intervalMs ?? 10_000).unref(),
      );
    }
  }

  router(membership: MembershipResolver) {
    return createOrgHealthRouter({
      httpAuth: this.options.httpAuth,
      auth: this.options.auth,
      auditor: this.options.auditor,
      membership,
      adminRefs: this.adminRefs,
      store: this.store,
      providers: this.providers,
      warnings: () => this.warnings(),
      trigger: async provider => {
        if (this.options.scheduler) {
          await this.options.scheduler.triggerTask(provider.taskId);
        } else {
          await provider.run();
        }
      },
    });
  }

  membershipResolver() {
    const ownerOf = readOwnerOfSettings(this.options.config);
    return new MembershipResolver({
      catalog: this.options.catalog,
      auth: this.options.auth,
      logger: this.options.logger,
      nestedGroups: ownerOf.nestedGroups,
      refreshMs: ownerOf.membershipRefreshMs,
    });
  }
}
