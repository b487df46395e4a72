/**
 * The limits a user passes to `load` (`maxLiftBytes`, `maxHandles`; their
 * meaning is in host/abi/limits.ts), checked once per plugin.
 */
import { DEFAULT_LIMITS, DEFAULT_MAX_HANDLES, DEFAULT_MAX_LIFT_BYTES, type InstanceLimits } from '../abi/limits.ts';

/**
 * Checks user-supplied limits (RangeError naming the option), filling in
 * defaults for the ones not given.
 */
export function instanceLimits(options: { readonly maxLiftBytes?: number; readonly maxHandles?: number }): InstanceLimits {
  // Neither given (most loads): the defaults, one shared object.
  if (options.maxLiftBytes === undefined && options.maxHandles === undefined) return DEFAULT_LIMITS;
  const check = (name: string, v: number | undefined, dflt: number): number => {
    if (v === undefined) return dflt;
    if (!(Number.isSafeInteger(v) && v > 0)) throw new RangeError(`${name} must be a positive integer, got ${String(v)}`);
    return v;
  };
  return {
    maxLiftBytes: check('maxLiftBytes', options.maxLiftBytes, DEFAULT_MAX_LIFT_BYTES),
    maxHandles: check('maxHandles', options.maxHandles, DEFAULT_MAX_HANDLES),
  };
}
