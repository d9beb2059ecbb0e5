/**
 * Config keys the portal reads that the installed plugins' own schemas leave out (the keys its
 * start-up checks read are declared by @portico/plugin-backend-module-portico-guards). Declaring
 * them lets `backstage-cli config:check --strict` (run by `./portal start`) reject every unknown
 * key.
 */
export interface Config {
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
