import { ownerOfPlugin } from './plugin';

describe('owner-of', () => {
  it('should export plugin', () => {
    expect(ownerOfPlugin).toBeDefined();
  });
});
