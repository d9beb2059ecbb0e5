export interface Config {
  scaffolder?: {
    /**
     * Local git hosting for Software Templates (publish:local-git).
     * The commit author and message come from `scaffolder.defaultAuthor` and
     * `scaffolder.defaultCommitMessage`.
     */
    localGit?: {
      /**
       * The folder holding the bare repositories that publish:local-git
       * creates. A relative path resolves against the backend's working
       * directory. Created at start-up when missing.
       * Defaults to `${PORTICO_DATA_DIR}/git`, or `../../.data/git` when
       * PORTICO_DATA_DIR is not set.
       * @visibility backend
       */
      repositoriesDir?: string;
    };
  };
}
