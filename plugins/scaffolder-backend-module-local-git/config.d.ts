export interface Config {
  /**
   * The repositories folder is `localGit.repositoriesDir`, declared by
   * `@portico/plugin-local-git-node`.
   */
  scaffolder?: {
    /**
     * The commit author of publish:local-git when a template names none.
     * Defaults to Portico <portico@localhost>.
     */
    defaultAuthor?: {
      name?: string;
      email?: string;
    };
    /**
     * The commit message of publish:local-git when a template names none.
     * Defaults to "Initial commit".
     */
    defaultCommitMessage?: string;
  };
}
