import { promises as fs } from 'node:fs';
import {
  DiscoveryService,
  resolveSafeChildPath,
} from '@backstage/backend-plugin-api';
import { ConflictError, InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import {
  LOCAL_GIT_PLUGIN_ID,
  LocalGitRepositories,
  LocalGitUrls,
  assertBranchName,
  assertRepositoryName,
  normalizeRepositoryPath,
} from '@portico/plugin-local-git-node';
import { examples } from './publishLocalGit.examples';
import { PublishLocalGitSettings } from './settings';

/**
 * The rule the repositories enforce, as a schema pattern so that the
 * scaffolder rejects a bad name before the step runs: no '..', no '.git'.
 */
const REPOSITORY_NAME_PATTERN =
  /^(?!.*\.\.)(?!.*\.git$)[a-z0-9][a-z0-9._-]{0,99}$/;
const BRANCH_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/**
 * The `publish:local-git` action: publishes the workspace, or a folder of
 * it, as a new bare git repository on the portal's own disk, served by the
 * local-git plugin and readable by the catalog through its URL reader.
 *
 * @public
 */
export function createPublishLocalGitAction(options: {
  repositories: LocalGitRepositories;
  settings: PublishLocalGitSettings;
  discovery: DiscoveryService;
}) {
  const { repositories, settings, discovery } = options;

  return createTemplateAction({
    id: 'publish:local-git',
    description:
      'Publishes the workspace, or a folder of it, as a new git repository hosted by the portal itself, with one commit. Outputs the URL of its catalog-info.yaml for catalog:register.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        repoName: z =>
          z
            .string()
            .regex(REPOSITORY_NAME_PATTERN)
            .describe(
              "Name of the new repository: 1 to 100 lowercase letters, digits, '.', '-' or '_', starting with a letter or digit. Must not exist yet.",
            ),
        description: z =>
          z
            .string()
            .optional()
            .describe('A one-line description of the repository'),
        sourcePath: z =>
          z
            .string()
            .optional()
            .describe(
              'The folder of the workspace to publish, relative to it. Defaults to the whole workspace.',
            ),
        defaultBranch: z =>
          z
            .string()
            .regex(BRANCH_PATTERN)
            .optional()
            .describe('The branch to create. Defaults to main.'),
        gitCommitMessage: z =>
          z
            .string()
            .optional()
            .describe(
              'The message of the commit. Defaults to scaffolder.defaultCommitMessage, or "Initial commit".',
            ),
        gitAuthorName: z =>
          z
            .string()
            .optional()
            .describe(
              'The commit author. Defaults to scaffolder.defaultAuthor.name.',
            ),
        gitAuthorEmail: z =>
          z
            .string()
            .optional()
            .describe(
              "The commit author's email. Defaults to scaffolder.defaultAuthor.email.",
            ),
        catalogInfoPath: z =>
          z
            .string()
            .optional()
            .describe(
              'Path of the catalog descriptor inside the repository, for the catalogInfoUrl output. Defaults to catalog-info.yaml.',
            ),
      },
      output: {
        remoteUrl: z =>
          z.string().describe('The URL to clone the repository from'),
        repoContentsUrl: z =>
          z
            .string()
            .describe("The URL of the repository's files on its branch"),
        catalogInfoUrl: z =>
          z
            .string()
            .describe(
              'The URL of the catalog descriptor, as the catalog reads it: pass it to catalog:register',
            ),
        commitHash: z => z.string().describe('The hash of the commit'),
      },
    },

    async handler(ctx) {
      const { input } = ctx;
      const branch = input.defaultBranch ?? 'main';
      const catalogInfoPath = normalizeRepositoryPath(
        input.catalogInfoPath ?? 'catalog-info.yaml',
      );
      if (!catalogInfoPath) {
        throw new InputError(
          `'${input.catalogInfoPath}' is not a valid path inside a repository`,
        );
      }
      const sourceDir = resolveSafeChildPath(
        ctx.workspacePath,
        input.sourcePath ?? '.',
      );
      const stat = await fs.stat(sourceDir).catch(() => undefined);
      if (!stat?.isDirectory()) {
        throw new InputError(
          `The source folder '${
            input.sourcePath ?? '.'
          }' does not exist in the workspace`,
        );
      }

      const urls = new LocalGitUrls(
        await discovery.getExternalBaseUrl(LOCAL_GIT_PLUGIN_ID),
      );
      const outputUrls = () => {
        ctx.output('remoteUrl', urls.cloneUrl(input.repoName));
        ctx.output('repoContentsUrl', urls.rawUrl(input.repoName, branch));
        ctx.output(
          'catalogInfoUrl',
          urls.rawUrl(input.repoName, branch, catalogInfoPath),
        );
      };

      if (ctx.isDryRun) {
        // The template editor: check what would fail, create nothing.
        assertRepositoryName(input.repoName);
        assertBranchName(branch);
        await repositories.assertRootWritable();
        if (await repositories.exists(input.repoName)) {
          throw new ConflictError(
            `A repository named '${input.repoName}' already exists`,
          );
        }
        ctx.logger.info(
          `Dry run: would publish ${input.sourcePath ?? 'the workspace'} as ${
            input.repoName
          }`,
        );
        outputUrls();
        ctx.output('commitHash', '0'.repeat(40));
        return;
      }

      const { commit } = await repositories.create({
        name: input.repoName,
        sourceDir,
        branch,
        // Empty values count as absent: a template may fill them from the
        // user's profile, which a service caller does not have.
        message: input.gitCommitMessage || settings.defaultCommitMessage,
        author: {
          name: input.gitAuthorName || settings.defaultAuthor.name,
          email: input.gitAuthorEmail || settings.defaultAuthor.email,
        },
        description: input.description,
      });

      const catalogInfo = await repositories.lookup(
        input.repoName,
        branch,
        catalogInfoPath,
      );
      if (catalogInfo?.type !== 'blob') {
        ctx.logger.warn(
          `The repository has no ${catalogInfoPath}: catalog:register will not find anything at catalogInfoUrl`,
        );
      }
      ctx.logger.info(
        `Published ${input.repoName} (${commit.slice(0, 12)} on ${branch})`,
      );
      outputUrls();
      ctx.output('commitHash', commit);
    },
  });
}
