import {
  checkKubernetesServiceQuery,
  checkSettingsMultiget,
} from './bodyShape';

describe('checkSettingsMultiget', () => {
  it('accepts items of bucket and key', () => {
    expect(checkSettingsMultiget({ items: [] })).toBeUndefined();
    expect(
      checkSettingsMultiget({ items: [{ bucket: 'starred', key: 'all' }] }),
    ).toBeUndefined();
  });

  it('names what is missing or of the wrong type', () => {
    expect(checkSettingsMultiget(undefined)).toMatch(/expected \{ "items"/);
    expect(checkSettingsMultiget({})).toMatch(/expected \{ "items"/);
    expect(checkSettingsMultiget({ items: 'all' })).toMatch(/expected/);
    expect(
      checkSettingsMultiget({
        items: [{ bucket: 'a', key: 'b' }, { bucket: 1 }],
      }),
    ).toBe('items[1] must be { "bucket": string, "key": string }');
    expect(checkSettingsMultiget([{ bucket: 'a', key: 'b' }])).toMatch(
      /expected/,
    );
  });
});

describe('checkKubernetesServiceQuery', () => {
  it('accepts an entity with kind and name', () => {
    expect(
      checkKubernetesServiceQuery({
        entity: { kind: 'Component', metadata: { name: 'payment-gateway' } },
      }),
    ).toBeUndefined();
  });

  it('names what is missing', () => {
    expect(checkKubernetesServiceQuery({})).toMatch(/expected \{ "entity"/);
    expect(checkKubernetesServiceQuery({ entity: 'x' })).toMatch(/expected/);
    expect(checkKubernetesServiceQuery({ entity: { kind: 'Component' } })).toBe(
      'entity must have a "kind" and a "metadata.name"',
    );
  });
});
