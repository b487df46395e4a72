/**
 * The two ways validation refuses a component, as one-line helpers every
 * validation module uses (here, so none of them imports another for it).
 */
import { LoadError } from '../errors.ts';

export function invalid(message: string, offset: number): never {
  throw new LoadError('invalid', message, offset);
}

export function unsupported(feature: string, offset: number): never {
  throw new LoadError('unsupported', `${feature} is not supported by this host`, offset);
}
