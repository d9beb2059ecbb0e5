import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  Publisher,
  PublisherBase,
  PublisherType,
  techdocsPublisherExtensionPoint,
} from '@backstage/plugin-techdocs-node';

type DocsHandler = ReturnType<PublisherBase['docsRouter']>;

/**
 * An encoded `/` or `\` in a static docs path. TechDocs checks read access on
 * the entity named by the first three path segments, but decodes the rest with
 * `decodeURI`, which keeps `%2F` as is; the file server then decodes it to a
 * real separator. `.../component/<readable>/..%2F..%2Fcomponent%2F<hidden>/`
 * would pass the check on the readable entity and serve the hidden one's docs.
 * No published file name contains a separator, so refusing these is safe.
 */
const encodedSeparator = /%(2f|5c)/i;

/** Wraps a docs file handler so that paths with encoded separators are 404. */
export function guardDocsHandler(handler: DocsHandler): DocsHandler {
  return (req, res, next) => {
    const rawPath = (req.originalUrl ?? req.url).split('?')[0];
    if (encodedSeparator.test(rawPath)) {
      res.status(404).json({
        error: { name: 'NotFoundError', message: 'Content not found' },
      });
      return;
    }
    handler(req, res, next);
  };
}

/** The configured publisher, with its static file handler guarded. */
export function guardPublisher(inner: PublisherBase): PublisherBase {
  return {
    getReadiness: () => inner.getReadiness(),
    publish: request => inner.publish(request),
    fetchTechDocsMetadata: entityName =>
      inner.fetchTechDocsMetadata(entityName),
    hasDocsBeenGenerated: entity => inner.hasDocsBeenGenerated(entity),
    migrateDocsCase: inner.migrateDocsCase
      ? request => inner.migrateDocsCase!(request)
      : undefined,
    docsRouter: () => guardDocsHandler(inner.docsRouter()),
  };
}

/**
 * TechDocs module: serves docs through the publisher configured in
 * `techdocs.publisher`, refusing paths that could reach another entity's docs
 * past the per-entity read check.
 */
export const techdocsModuleStaticPathGuard = createBackendModule({
  pluginId: 'techdocs',
  moduleId: 'static-path-guard',
  register({ registerInit }) {
    registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        discovery: coreServices.discovery,
        publishers: techdocsPublisherExtensionPoint,
      },
      async init({ config, logger, discovery, publishers }) {
        const inner = await Publisher.fromConfig(config, { logger, discovery });
        publishers.registerPublisher(
          (config.getOptionalString('techdocs.publisher.type') ??
            'local') as PublisherType,
          guardPublisher(inner),
        );
      },
    });
  },
});
