/** A small app bundle schema: one value for browsers, one secret, one for the backend only. */
export const serialized = {
  backstageConfigSchemaVersion: 1,
  schemas: [
    {
      path: 'app/config.d.ts',
      value: {
        type: 'object',
        properties: {
          app: {
            type: 'object',
            properties: {
              title: { type: 'string', visibility: 'frontend' },
              baseUrl: { type: 'string', visibility: 'frontend' },
              oldName: {
                type: 'string',
                visibility: 'frontend',
                deprecated: 'use title',
              },
            },
          },
          auth: {
            type: 'object',
            properties: {
              sessionSecret: { type: 'string', visibility: 'secret' },
            },
          },
          backend: {
            type: 'object',
            properties: { listenPort: { type: 'number' } },
          },
        },
      },
    },
  ],
};
