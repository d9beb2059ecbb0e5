/**
 * The keys the guards read. `techdocsModuleStaticPathGuard` also reads `techdocs.publisher.type`,
 * which TechDocs declares (as one of its publishers' settings: declaring it here too would make
 * a strict config check refuse the publisher's other keys); everything else they use
 * (`backend.reading.allow` through the URL reader) is read and declared by Backstage.
 */
export interface Config {
  auth?: {
    /**
     * With `production`, the backend refuses to start when a sign-in meant for development is
     * configured (productionSignInGuard).
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
}
