import {
  AuditorService,
  AuthService,
  HttpAuthService,
} from '@backstage/backend-plugin-api';
import { NotAllowedError, NotFoundError } from '@backstage/errors';
import { MembershipResolver } from '@portico/plugin-permission-backend-module-owner-of';
import express from 'express';
import Router from 'express-promise-router';
import { GuardedLdapOrgProvider } from '../sync/GuardedLdapOrgProvider';
import { SyncStatusStore } from '../sync/SyncStatusStore';
import { OrgWarnings } from './orgHealth';

/**
 * Serves, on the catalog plugin, for admins only (403 for other users):
 * `GET /org-health`, the last sync of each directory provider, recent
 * refused runs and the organization's warnings, and
 * `POST /org-health/providers/:id/accept-large-change`, which lets the next
 * run of that provider apply a large removal once and starts it.
 */
export function createOrgHealthRouter(options: {
  httpAuth: HttpAuthService;
  auth: AuthService;
  auditor: AuditorService;
  membership: MembershipResolver;
  adminRefs: string[];
  store: SyncStatusStore;
  providers: GuardedLdapOrgProvider[];
  warnings: () => Promise<OrgWarnings>;
  /** Starts a provider's run now (its scheduled task, or a direct run). */
  trigger: (provider: GuardedLdapOrgProvider) => Promise<void>;
}): express.Router {
  const router = Router();

  async function requireAdmin(req: express.Request) {
    const credentials = await options.httpAuth.credentials(req, {
      allow: ['user'],
    });
    const { claims } = await options.membership.resolve(
      credentials.principal.userEntityRef,
    );
    if (!claims.some(claim => options.adminRefs.includes(claim))) {
      throw new NotAllowedError(
        'The organization health is shown to admins only (permission.adminRefs)',
      );
    }
    return credentials.principal.userEntityRef;
  }

  router.get('/org-health', async (req, res) => {
    await requireAdmin(req);
    const states = await options.store.loadAll();
    const providers = options.providers.map(provider => {
      const state = states.find(s => s.providerId === provider.id);
      return {
        id: provider.id,
        lastRun: state?.lastRun ?? null,
        lastApplied: state?.lastApplied
          ? {
              at: state.lastApplied.at,
              users: state.lastApplied.userRefs.length,
              groups: state.lastApplied.groupRefs.length,
            }
          : null,
        recentProblems: state?.recentProblems ?? [],
        acceptNextLargeChange: state?.acceptNextLargeChange ?? null,
      };
    });
    res.json({ providers, warnings: await options.warnings() });
  });

  router.post(
    '/org-health/providers/:id/accept-large-change',
    async (req, res) => {
      const by = await requireAdmin(req);
      const provider = options.providers.find(p => p.id === req.params.id);
      if (!provider) {
        throw new NotFoundError(`No directory provider '${req.params.id}'`);
      }
      const event = await options.auditor.createEvent({
        eventId: 'directory-sync-accept-large-change',
        severityLevel: 'high',
        request: req,
        meta: { provider: provider.id },
      });
      await options.store.acceptNextLargeChange(provider.id, by);
      await event.success();
      await options.trigger(provider);
      res.status(202).json({
        provider: provider.id,
        acceptedBy: by,
        message:
          'The next run may remove more than the limit once; it has been started',
      });
    },
  );

  return router;
}
