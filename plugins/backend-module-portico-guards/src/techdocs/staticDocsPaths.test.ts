import { unsafeDocsPath } from './staticDocsPaths';

describe('unsafeDocsPath', () => {
  it('lets the paths of one entity through', () => {
    for (const path of [
      '/default/component/payment-gateway/index.html',
      '/default/component/payment-gateway/',
      '/default/component/payment-gateway',
      '/default/component/payment%20gateway/assets/app.js',
    ]) {
      expect({ path, unsafe: unsafeDocsPath(path) }).toEqual({
        path,
        unsafe: undefined,
      });
    }
  });

  it('names what would let a path reach another entity past the read check', () => {
    expect(
      unsafeDocsPath(
        '/default/component/support-console/..%2F..%2Fcomponent%2Fshipment-api/index.html',
      ),
    ).toBe('an encoded path separator');
    expect(unsafeDocsPath('/default/component/a/..%5C..%5Cshipment-api')).toBe(
      'an encoded path separator',
    );
    expect(unsafeDocsPath('/default//component/shipment-api/')).toBe(
      'no namespace, kind and name',
    );
    expect(unsafeDocsPath('/default/component/a//b/index.html')).toBe(
      'an empty path segment',
    );
    expect(unsafeDocsPath('/default/component/a/%2e%2e/b/index.html')).toBe(
      'a dot segment',
    );
    expect(unsafeDocsPath('/default/component/a/%00.html')).toBe(
      'a backslash or NUL character',
    );
    expect(unsafeDocsPath('/default/component/a/%E0%A4%A.html')).toBe(
      'malformed percent-encoding',
    );
  });
});
