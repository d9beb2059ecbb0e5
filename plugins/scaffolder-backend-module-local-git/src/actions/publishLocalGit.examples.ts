import { TemplateExample } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';

export const examples: TemplateExample[] = [
  {
    description:
      'Publish the workspace as a new local repository and register its catalog-info.yaml',
    example: yaml.stringify({
      steps: [
        {
          id: 'publish',
          action: 'publish:local-git',
          name: 'Publish',
          input: {
            repoName: '${{ parameters.name }}',
            description: '${{ parameters.description }}',
          },
        },
        {
          id: 'register',
          action: 'catalog:register',
          name: 'Register',
          input: {
            catalogInfoUrl: '${{ steps.publish.output.catalogInfoUrl }}',
          },
        },
      ],
    }),
  },
  {
    description:
      'Publish only the docs folder of the workspace on a branch named trunk, with a chosen author',
    example: yaml.stringify({
      steps: [
        {
          id: 'publish',
          action: 'publish:local-git',
          name: 'Publish',
          input: {
            repoName: 'shipment-docs',
            sourcePath: 'docs',
            defaultBranch: 'trunk',
            gitCommitMessage: 'Start the shipment docs',
            gitAuthorName: 'Harborline Platform',
            gitAuthorEmail: 'platform-team@harborline.example',
          },
        },
      ],
    }),
  },
];
