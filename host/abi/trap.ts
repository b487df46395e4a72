import { TrapError } from '../errors.ts';

/**
 * The spec's `trap_if(cond)`: throws a TrapError whose message names the rule.
 * Call sites read `if (cond) trap('rule')` so each spec trap is one visible line.
 */
export function trap(rule: string): never {
  throw new TrapError(rule);
}
