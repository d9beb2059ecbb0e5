/**
 * `.yarn/patches/@backstage-plugin-scaffolder-common-*.patch` makes the scaffolder's Template
 * schema compile when a template is first validated instead of when the package is imported:
 * every page of the app imports it through the scaffolder plugin, and compiling it cost the app's
 * start-up 50 to 90 ms on this project's machines. These tests fail if a reinstall or an upgrade
 * drops the patch, and check that templates are still validated.
 *
 * An upstream workaround: see the table in
 * plugins/catalog-backend-module-upstream-workarounds/README.md for when it is deleted.
 */
const realCatalogModel = jest.requireActual('@backstage/catalog-model');
const compile = jest.fn(realCatalogModel.entityKindSchemaValidator);

jest.mock('@backstage/catalog-model', () => ({
  ...jest.requireActual('@backstage/catalog-model'),
  entityKindSchemaValidator: (...args: unknown[]) => compile(...args),
}));

const template = {
  apiVersion: 'scaffolder.backstage.io/v1beta3',
  kind: 'Template',
  metadata: { name: 'service' },
  spec: {
    type: 'service',
    steps: [{ id: 'fetch', action: 'fetch:template', input: { url: './x' } }],
  },
};

describe('the scaffolder Template schema', () => {
  it('is not compiled when the package is imported', () => {
    jest.isolateModules(() => {
      require('@backstage/plugin-scaffolder-common');
    });
    expect(compile).not.toHaveBeenCalled();
  });

  it('is compiled once, on first use, and still rejects invalid templates', async () => {
    const { templateEntityV1beta3Validator } = jest.requireActual(
      '@backstage/plugin-scaffolder-common',
    );
    await expect(templateEntityV1beta3Validator.check(template)).resolves.toBe(
      true,
    );
    await expect(
      templateEntityV1beta3Validator.check({
        ...template,
        spec: { ...template.spec, steps: 'not a list' },
      }),
    ).rejects.toThrow(/steps/);
    expect(compile).toHaveBeenCalledTimes(1);
  });
});
