import { AppConfig } from '@backstage/config';
import { loadConfigSchema } from '@backstage/config-loader';
import {
  processOnWorker,
  processOnWorkerSynchronously,
} from './frontendConfigWorker';
import { PrecomputedConfigSchema } from './PrecomputedConfigSchema';
import { serialized } from './__fixtures__/appBundleSchema';

jest.setTimeout(30_000);

const configs: AppConfig[] = [
  {
    context: 'app',
    data: {
      app: { title: 'Portico', baseUrl: 'http://127.0.0.1:3000', oldName: 'x' },
      auth: { sessionSecret: 'not-for-browsers' },
      backend: { listenPort: 7007 },
    },
  },
];
const options = { visibility: ['frontend' as const], withDeprecatedKeys: true };

async function onThisThread(inputConfigs: AppConfig[], inputOptions: object) {
  const schema = await loadConfigSchema({ serialized });
  return schema.process(inputConfigs, inputOptions);
}

describe('the frontend configuration on a worker thread', () => {
  it('is what the schema gives on the main thread, asynchronously and synchronously', async () => {
    const expected = await onThisThread(configs, options);
    expect(expected).toEqual([
      {
        context: 'app',
        data: {
          app: {
            title: 'Portico',
            baseUrl: 'http://127.0.0.1:3000',
            oldName: 'x',
          },
        },
        deprecatedKeys: [{ key: 'app.oldName', description: 'use title' }],
      },
    ]);

    expect(await processOnWorker({ serialized, configs, options })).toEqual(
      expected,
    );
    expect(
      processOnWorkerSynchronously({ serialized, configs, options }),
    ).toEqual(expected);
  });

  it('reports the schema’s own validation errors', async () => {
    const invalid = [
      { context: 'app', data: { app: { title: { not: 'a string' } } } },
    ];
    await expect(
      onThisThread(invalid as any, { visibility: ['frontend'] }),
    ).rejects.toThrow(/Config validation failed/);
    await expect(
      processOnWorker({
        serialized,
        configs: invalid as any,
        options: { visibility: ['frontend'] },
      }),
    ).rejects.toThrow(/Config validation failed/);
  });
});

describe('PrecomputedConfigSchema', () => {
  it('answers the computed question with a copy of the computed answer', async () => {
    const result = await processOnWorker({ serialized, configs, options });
    const schema = new PrecomputedConfigSchema(
      { serialized, configs, options },
      result,
    );

    const answer = schema.process(structuredClone(configs), { ...options });
    expect(answer).toEqual(result);
    expect(answer).not.toBe(result);
    expect(schema.serialize()).toBe(serialized);
  });

  it('answers any other question as the schema itself does', async () => {
    const schema = new PrecomputedConfigSchema(
      { serialized, configs, options },
      await processOnWorker({ serialized, configs, options }),
    );
    const otherConfigs = [
      { context: 'env', data: { app: { title: 'From the environment' } } },
      ...configs,
    ];

    expect(schema.process(otherConfigs, options)).toEqual(
      await onThisThread(otherConfigs, options),
    );
    expect(schema.process(configs, { visibility: ['secret'] })).toEqual(
      await onThisThread(configs, { visibility: ['secret'] }),
    );
    expect(() =>
      schema.process(configs, { valueTransform: value => value }),
    ).toThrow('cannot apply a valueTransform');
  });
});
