import { parseEntityRefInput } from './entityRefInput';

describe('parseEntityRefInput', () => {
  it('returns the lowercase full ref', () => {
    expect(parseEntityRefInput(' Component:default/Payment-Gateway ')).toBe(
      'component:default/payment-gateway',
    );
  });

  it.each([undefined, '', '   ', 42])(
    'refuses a missing entityRef (%p) with an example',
    value => {
      expect(() => parseEntityRefInput(value)).toThrow(
        'entityRef is required, e.g. component:default/payment-gateway',
      );
    },
  );

  it('names the malformed value', () => {
    expect(() => parseEntityRefInput('payment-gateway')).toThrow(
      /Invalid entityRef 'payment-gateway'/,
    );
  });
});
