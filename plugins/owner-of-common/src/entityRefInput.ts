import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';

/**
 * An entity ref as a request names it (`entityRef` in a body or query), in the lowercase
 * `kind:namespace/name` form the catalog compares; a clear 400 when it is missing or malformed.
 *
 * @public
 */
export function parseEntityRefInput(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new InputError(
      'entityRef is required, e.g. component:default/payment-gateway',
    );
  }
  try {
    return stringifyEntityRef(parseEntityRef(value.trim())).toLowerCase();
  } catch (error) {
    throw new InputError(`Invalid entityRef '${value}': ${error}`);
  }
}
