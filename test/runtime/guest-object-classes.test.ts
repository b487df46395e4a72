/**
 * Resource objects of one class keep one hidden class whichever way the host made them (owned,
 * lent, the binding's map anchor), each with its own state handed over by `mint`
 * (guest-resources.ts), and code reading them stays optimised across full GCs: in a child process
 * with --expose-gc and V8's natives syntax (guest-object-classes-gc.ts).
 */
import { describe, expect, it } from 'vitest';
import { nativesChildReport } from '../support/natives-child.ts';

describe('guest resource object classes (child process)', () => {
  it('owned, lent and anchor objects share one hidden class, each with its own state, and readers stay optimised after full GCs', async () => {
    const report = await nativesChildReport(new URL('./guest-object-classes-gc.ts', import.meta.url));
    expect(report).toEqual({
      sameOwnedLent: true,
      sameOwnedSecond: true,
      states: [41, 42, 43],
      distinctStates: true,
      otherClass: true,
      optimised: { before: true, after: true },
      value: 389,
    });
  });
});
