/*
 * Refuses to start the backend in production with a way to sign in that is meant for
 * development only: the guest provider, or the local identity provider (packages/dev-idp), which
 * signs anyone in as any user without a password.
 */
import type {
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { CustomErrorBase } from '@backstage/errors';

/** The discovery-document field with which packages/dev-idp marks itself development-only. */
export const DEV_IDP_DEVELOPMENT_ONLY_MARKER = 'portico_development_only';

/** A configuration the backend must not run with; its message is one line naming the setting. */
export class UnsafeProductionConfigError extends CustomErrorBase {
  name = 'UnsafeProductionConfigError';
}

const refuse = (reason: string) =>
  new UnsafeProductionConfigError(
    `Portico backend refuses to start: ${reason}`,
  );

/** Reads an OpenID Connect discovery document; undefined when it cannot be read. */
export type MetadataReader = (url: string) => Promise<unknown>;

/** Reads discovery documents over HTTP, warning through `logger` when one cannot be read. */
export function metadataReader(logger?: LoggerService): MetadataReader {
  return async url => {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return await res.json();
    } catch (error) {
      // The OIDC module reports a provider it cannot reach; this check only looks for the mark.
      logger?.warn(
        `Could not read ${url} to check that it is not the local development identity provider: ${error}`,
      );
      return undefined;
    }
  };
}

/**
 * Throws UnsafeProductionConfigError when `auth.environment` is `production` and the config
 * enables the guest provider, keeps the development OIDC settings, or points an OIDC setting at a
 * provider whose discovery document is marked development-only (packages/dev-idp).
 */
export async function checkProductionSignIn(
  config: RootConfigService,
  readMetadata: MetadataReader = metadataReader(),
): Promise<void> {
  if (config.getOptionalString('auth.environment') !== 'production') return;

  if (config.has('auth.providers.guest')) {
    throw refuse(
      'auth.providers.guest is set while auth.environment is production, and the guest provider signs anyone in. Remove it (app-config.production.yaml sets it to null).',
    );
  }
  const oidc = config.getOptionalConfig('auth.providers.oidc');
  if (oidc?.has('development')) {
    throw refuse(
      'auth.providers.oidc.development is set while auth.environment is production, and any caller can sign in through it with ?env=development. Set it to null (app-config.production.yaml does).',
    );
  }
  for (const env of oidc?.keys() ?? []) {
    const key = `auth.providers.oidc.${env}.metadataUrl`;
    const url = config.getOptionalString(key);
    if (!url) continue;
    const metadata = await readMetadata(url);
    if (
      typeof metadata === 'object' &&
      metadata !== null &&
      (metadata as Record<string, unknown>)[DEV_IDP_DEVELOPMENT_ONLY_MARKER] ===
        true
    ) {
      throw refuse(
        `${key} (${url}) is the local development identity provider, which signs anyone in without a password, while auth.environment is production. Point it at the company identity provider (AUTH_OIDC_METADATA_URL).`,
      );
    }
  }
}
