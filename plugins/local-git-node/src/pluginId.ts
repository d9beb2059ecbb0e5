/** The id of the backend plugin that serves the local repositories. */
export const LOCAL_GIT_PLUGIN_ID = 'local-git';
