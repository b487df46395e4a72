/**
 * `canon lower`'s direct path (every parameter one core value: scalars and
 * handles; a scalar result or none; arity 0-3; host trait objects' methods
 * take it) refuses exactly what the general path refuses and leaves the same
 * state. Each scenario runs twice: through a direct-path signature and
 * through the same signature with a fourth, unused `u32` parameter, which
 * takes the general path (flat arrays, `lift_flat_values`), and through the
 * direct path of a linked plugin's export (`canonLower`'s `linked`: each
 * borrowed parameter gives its binding a keep).
 */
import { describe, expect, it } from 'vitest';
import { canonLower, canonResourceNew } from '../../host/abi/index.ts';
import { ComponentInstance } from '../../host/abi/component-instance.ts';
import { ResourceObject, ResourceType } from '../../host/abi/resource-type.ts';
import { TrapError } from '../../host/errors.ts';
import type { FuncType, ValType } from '../../host/types.ts';
import { opts } from './helpers.ts';

const u32: ValType = { kind: 'u32' };

type Route = 'direct' | 'general' | 'linked';
const ROUTES: readonly Route[] = ['direct', 'general', 'linked'];

interface Setup {
  readonly guest: ComponentInstance;
  readonly rt: ResourceType;
  readonly other: ResourceType;
  /** The guest's core import for `f(params...) -> result`, through `route`; called with the direct path's arguments. */
  lower(params: readonly ValType[], result: ValType | undefined, callee: (...args: unknown[]) => unknown): (...flat: unknown[]) => unknown;
}

function setup(route: Route): Setup {
  const guest = new ComponentInstance('guest');
  const rt = new ResourceType('canvas', guest);
  const other = new ResourceType('brush', guest);
  return {
    guest,
    rt,
    other,
    lower(params, result, callee) {
      const general = route === 'general';
      const all = general ? [...params, u32] : params;
      const ft: FuncType = { async: false, params: all.map((type, i) => ({ name: `p${i}`, type })), result };
      const f = canonLower(ft, opts(undefined), guest, general ? (...args) => callee(...args.slice(0, params.length)) : callee, route === 'linked');
      // The general route's core function takes the extra argument too.
      return general ? (...flat: unknown[]) => f(...flat, 0) : f;
    },
  };
}

/** The outcome of a call: its value, or the class and message of what it threw. */
function outcome(f: () => unknown): unknown {
  try {
    return { value: f() };
  } catch (e) {
    return { threw: (e as Error).constructor.name, message: (e as Error).message };
  }
}

/** Runs `scenario` on both routes and expects the same record of what happened. */
function same(scenario: (s: Setup) => unknown): unknown {
  const [direct, general] = ROUTES.map((r) => scenario(setup(r)));
  expect(direct).toEqual(general);
  return direct;
}

const borrow = (rt: ResourceType): ValType => ({ kind: 'borrow', resource: rt });
const own = (rt: ResourceType): ValType => ({ kind: 'own', resource: rt });

describe('canon lower: the direct path keeps every rule of the general path', () => {
  it('lends a borrowed handle for the call only, and revokes the JS object after it', () => {
    const seen = same((s) => {
      const h = canonResourceNew(s.rt, s.guest)(7);
      let during = -1;
      let kept: ResourceObject | undefined;
      const lineTo = s.lower([borrow(s.rt), { kind: 'f64' }, { kind: 'f64' }], undefined, (c, x, y) => {
        kept = c as ResourceObject;
        during = s.guest.handles.getResource(h, 'test').numLends;
        return void [x, y];
      });
      const r = outcome(() => lineTo(h, 1.5, -2));
      return { r, during, after: s.guest.handles.getResource(h, 'test').numLends, rep: kept?.rep, state: kept?.state };
    });
    expect(seen).toEqual({ r: { value: undefined }, during: 1, after: 0, rep: 7, state: 'revoked' });
  });

  it('releases the lends of a callee that throws, and the instance is poisoned', () => {
    const seen = same((s) => {
      const h = canonResourceNew(s.rt, s.guest)(7);
      let lent: ResourceObject | undefined;
      let poisonedBeforeEnd: unknown;
      const end = s.rt.js.endBorrow!.bind(s.rt.js);
      // Records whether the instance was already poisoned when the lend ended (the order a `finally` gave).
      s.rt.js.endBorrow = (v) => {
        poisonedBeforeEnd = s.guest.poisoned !== undefined;
        end(v);
      };
      const f = s.lower([borrow(s.rt), u32], u32, (c) => {
        lent = c as ResourceObject;
        throw new Error('host failed');
      });
      const first = outcome(() => f(h, 1));
      const state = lent?.state;
      return { first, lends: s.guest.handles.getResource(h, 'test').numLends, state, poisonedBeforeEnd, poisoned: s.guest.poisoned !== undefined, again: outcome(() => f(h, 1)) };
    });
    // The host's own exception reaches the guest's caller; the instance is poisoned, so the next call is a trap.
    expect(seen).toMatchObject({ first: { threw: 'Error', message: 'host failed' }, lends: 0, state: 'revoked', poisonedBeforeEnd: true, poisoned: true, again: { threw: 'TrapError' } });
  });

  it('traps on an unknown handle and on a handle of another resource type, before the callee runs', () => {
    const seen = same((s) => {
      const b = canonResourceNew(s.other, s.guest)(3);
      let calls = 0;
      const mk = () => s.lower([borrow(s.rt)], undefined, () => void calls++);
      const unknown = outcome(() => mk()(99));
      return { unknown, calls, poisoned: s.guest.poisoned !== undefined, b };
    });
    expect(seen).toMatchObject({ unknown: { threw: 'TrapError' }, calls: 0, poisoned: true });
    // A fresh instance for the second refusal (the first poisoned its own).
    same((s) => {
      const b = canonResourceNew(s.other, s.guest)(3);
      let calls = 0;
      const wrongType = outcome(() => s.lower([borrow(s.rt)], undefined, () => void calls++)(b));
      expect(wrongType).toMatchObject({ threw: 'TrapError', message: expect.stringMatching(/is a brush, expected a canvas/) });
      return { wrongType, calls };
    });
  });

  it('moves an owned handle out of the guest table to JS', () => {
    const seen = same((s) => {
      const h = canonResourceNew(s.rt, s.guest)(11);
      let got: ResourceObject | undefined;
      const take = s.lower([own(s.rt)], undefined, (o) => void (got = o as ResourceObject));
      const r = outcome(() => take(h));
      return { r, rep: got?.rep, state: got?.state, tableSize: s.guest.handles.size, again: outcome(() => take(h)) };
    });
    expect(seen).toMatchObject({ r: { value: undefined }, rep: 11, state: 'owned', tableSize: 0, again: { threw: 'TrapError' } });
  });

  it('refuses a poisoned instance and a call while may_leave is false, without calling the host', () => {
    same((s) => {
      let calls = 0;
      const f = s.lower([u32, u32], u32, (a, b) => (calls++, (a as number) + (b as number)));
      const ok = outcome(() => f(2, 3));
      s.guest.mayLeave = false;
      const inPostReturn = outcome(() => f(2, 3));
      s.guest.mayLeave = true;
      const poisonedAfter = outcome(() => f(2, 3));
      return { ok, inPostReturn, poisonedAfter, calls };
    });
    const seen = same((s) => {
      s.guest.poison(new TrapError('an earlier trap'));
      let calls = 0;
      const f = s.lower([borrow(s.rt)], undefined, () => void calls++);
      return { r: outcome(() => f(1)), calls };
    });
    expect(seen).toMatchObject({ r: { threw: 'TrapError' }, calls: 0 });
  });

  it('validates the host result as the general path does', () => {
    const seen = same((s) => {
      const f = s.lower([u32], { kind: 'u8' }, () => 300);
      return { r: outcome(() => f(1)), poisoned: s.guest.poisoned !== undefined };
    });
    expect(seen).toMatchObject({ r: { threw: 'RangeError', message: expect.stringMatching(/300/) }, poisoned: true });
  });

  it('keeps the outer call\'s lends while a nested lowered call (same import) runs and releases its own', () => {
    const seen = same((s) => {
      const h1 = canonResourceNew(s.rt, s.guest)(1);
      const h2 = canonResourceNew(s.rt, s.guest)(2);
      const lends = (h: number) => s.guest.handles.getResource(h, 'test').numLends;
      const log: number[][] = [];
      let f: (...flat: unknown[]) => unknown = () => undefined;
      f = s.lower([borrow(s.rt), u32], undefined, (c, depth) => {
        log.push([(c as ResourceObject).rep, lends(h1), lends(h2)]);
        if (depth === 0) {
          f(h2, 1);
          log.push([(c as ResourceObject).rep, lends(h1), lends(h2)]);
        }
      });
      f(h1, 0);
      return { log, after: [lends(h1), lends(h2)] };
    });
    expect(seen).toEqual({ log: [[1, 1, 0], [2, 1, 1], [1, 1, 0]], after: [0, 0] });
  });
});
