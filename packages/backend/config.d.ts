/**
 * Config keys the portal reads that the installed plugins' own schemas leave out, and the keys
 * its own start-up checks read. Declaring them lets `backstage-cli config:check --strict` (run by
 * `./portal start`) reject every unknown key.
 */
export interface Config {
  auth?: {
    /**
     * With `production`, the backend refuses to start when a sign-in meant for development is
     * configured (src/security/productionSignInGuard.ts).
     * @visibility frontend
     */
    environment?: string;
    providers?: {
      /**
       * The guest provider. Refused when auth.environment is production: it signs anyone in.
       */
      guest?: object;
      oidc?: {
        [authEnvironment: string]: {
          /**
           * Refused when auth.environment is production and this serves the discovery document of
           * the local development identity provider (packages/dev-idp), which marks itself so.
           * An `oidc.development` entry is refused in production as well.
           */
          metadataUrl?: string;
        };
      };
    };
  };
  techdocs?: {
    generator?: {
      mkdocs?: {
        /**
         * Build docs with plain mkdocs, without adding the techdocs-core mkdocs plugin (which is
         * not installable without PyPI). Read by @backstage/plugin-techdocs-node.
         */
        omitTechdocsCorePlugin?: boolean;
      };
    };
  };
}
