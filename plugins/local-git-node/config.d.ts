export interface Config {
  /** The git hosting of the `local-git` plugin, to which publish:local-git publishes. */
  localGit?: {
    /**
     * The folder holding the bare repositories. A relative path resolves
     * against the backend's working directory. Created at start-up when
     * missing. Defaults to `${PORTICO_DATA_DIR}/git`, or `../../.data/git`
     * when PORTICO_DATA_DIR is not set.
     * @visibility backend
     */
    repositoriesDir?: string;
  };
  scaffolder?: {
    localGit?: {
      /**
       * Read when `localGit.repositoriesDir` is not set.
       * @deprecated Use `localGit.repositoriesDir`.
       * @visibility backend
       */
      repositoriesDir?: string;
    };
  };
}
