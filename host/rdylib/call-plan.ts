/**
 * Rust's borrow rules on live handles, applied at each export call from what
 * the verified rdylib:abi section says about the function:
 *
 * - before the call: each handle argument is checked against the loans on
 *   it (BorrowTracker.checkCall), a `&mut self` call on a library-static
 *   handle and a non-static handle where `&'static` is required are refused;
 *   nothing has changed yet, so a refused call leaves every state as it was;
 * - after the call returned: every handle in the result the section
 *   describes is marked (library-static) or made a dependent of the
 *   arguments it borrows (BorrowTracker.lend), found by its path in the
 *   JS value (jco's shapes: options as value-or-undefined, top-level results
 *   as value-or-throw, nested ones and variants as `{ tag, val }`).
 *
 * A function with nothing to enforce gets no plan, so its calls cost nothing extra.
 */
import { BorrowError, ResultError } from '../errors.ts';
import type { FuncType, ValType } from '../types.ts';
import { toCamelCase } from '../abi/names.ts';
import type { PluginCell, JsFunction } from '../runtime/plugin-cell.ts';
import { GuestResource } from '../runtime/resource-bindings.ts';
import type { HandleAccess, HandleUse, TrackedHandle } from './borrow-tracker.ts';
import type { AbiFunction, BorrowMode } from './section.ts';

interface ParamRule {
  readonly index: number;
  /** The handles of the argument the rule is about (the argument itself, or inside it). */
  readonly collect: Collect | undefined;
  readonly access: HandleAccess;
  readonly role: string;
  readonly mustBeStatic: boolean;
}

/** Collects the JS values at one path of a result. */
type Collect = (value: unknown, out: unknown[]) => void;

interface ResultRule {
  /** Which JS value the path starts from: the returned value, or a ResultError's payload. */
  readonly from: 'return' | 'error';
  readonly collect: Collect;
  readonly lifetime: 'static' | 'dependent';
  readonly borrows: readonly { readonly param: number; readonly mode: BorrowMode }[];
}

/**
 * Wraps `call` (an export's lifted function) with the rules of `fn`, or
 * returns undefined when the section asks for nothing at run time.
 */
export function withBorrowRules(fn: AbiFunction, type: FuncType, cell: PluginCell, call: JsFunction): JsFunction | undefined {
  const params: ParamRule[] = [];
  if (fn.params !== undefined && fn.params.length > 0) {
    // The section says how each handle parameter is taken, nested ones included.
    for (const h of fn.params) {
      const p = type.params[h.param];
      if (p === undefined) continue;
      const role = h.param === 0 && fn.receiver !== null ? 'self' : `\`${h.name}\`${h.path.length === 0 ? '' : ` (at ${h.path.join('.')})`}`;
      params.push({
        index: h.param,
        collect: h.path.length === 0 ? undefined : compilePath(p.type, h.path),
        access: h.mode,
        role,
        mustBeStatic: fn.staticParams.includes(h.param),
      });
    }
  } else {
    type.params.forEach((p, index) => {
      if (p.type.kind !== 'own' && p.type.kind !== 'borrow') return;
      const receiver = index === 0 && fn.receiver !== null ? fn.receiver : undefined;
      const access: HandleAccess = receiver ?? (p.type.kind === 'own' ? 'consume' : 'shared');
      params.push({ index, collect: undefined, access, role: receiver !== undefined ? 'self' : `\`${p.name}\``, mustBeStatic: fn.staticParams.includes(index) });
    });
  }
  const results: ResultRule[] = [];
  for (const h of fn.results) {
    if (h.lifetime === 'owned' || type.result === undefined) continue;
    const topResult = type.result.kind === 'result';
    const fromError = topResult && h.path[0] === 'err';
    const start = topResult ? (fromError ? type.result.err : type.result.ok) : type.result;
    const steps = topResult ? h.path.slice(1) : h.path;
    if (start === undefined) continue;
    results.push({
      from: fromError ? 'error' : 'return',
      collect: compilePath(start, steps),
      lifetime: h.lifetime,
      borrows: h.lifetime === 'dependent' ? h.borrows.map((b) => ({ param: b.param, mode: b.mode })) : [],
    });
  }
  if (params.length === 0 && results.length === 0) return undefined;

  const label = `\`${fn.name}\``;

  // Only calls that take several handles can alias one; for them, the handles seen so far in this call.
  const seen: { v: unknown; access: HandleAccess; role: string }[] | undefined = params.length > 1 ? [] : undefined;

  const before = (args: ArrayLike<unknown>): void => {
    let uses: HandleUse[] | undefined;
    if (seen !== undefined) seen.length = 0;
    for (const p of params) {
      if (p.collect === undefined) check(p, args[p.index]);
      else {
        const found: unknown[] = [];
        p.collect(args[p.index], found);
        for (const v of found) check(p, v);
      }
    }
    if (uses !== undefined) cell.tracker.checkCall(fn.name, uses);
    if (seen !== undefined) seen.length = 0;

    function check(p: ParamRule, v: unknown): void {
      if (!GuestResource.is(v)) return; // lowering reports the wrong type
      const isStatic = GuestResource.isStatic(v);
      if (p.mustBeStatic && !isStatic) {
        throw new BorrowError(`${label}: ${p.role} must be a library-static ('static) handle, but this ${GuestResource.bindingOf(v).resourceName} is owned`);
      }
      if (isStatic && p.access === 'exclusive') {
        throw new BorrowError(`${label}: cannot borrow a library-static ${GuestResource.bindingOf(v).resourceName} mutably (${p.role}): 'static handles allow only shared access`);
      }
      if (seen !== undefined) {
        // The same object twice, once exclusively or by value: `&mut` aliasing, refused even if it borrows nothing.
        for (const other of seen) {
          if (other.v === v && (other.access !== 'shared' || p.access !== 'shared')) {
            throw new BorrowError(
              `${label}: cannot pass the same ${GuestResource.bindingOf(v).resourceName} as ${other.role} (${other.access}) and as ${p.role} (${p.access}): ` +
                'a handle used exclusively or by value may appear only once in a call',
            );
          }
        }
        seen.push({ v, access: p.access, role: p.role });
      }
      const t = GuestResource.trackOf(v);
      if (t !== undefined) (uses ??= []).push({ handle: t, access: p.access, role: p.role });
    }
  };

  const after = (args: ArrayLike<unknown>, value: unknown, from: 'return' | 'error'): void => {
    for (const r of results) {
      if (r.from !== from) continue;
      const found: unknown[] = [];
      r.collect(value, found);
      for (const h of found) {
        if (!GuestResource.is(h)) continue;
        if (r.lifetime === 'static') {
          GuestResource.markStatic(h);
          continue;
        }
        // Only owned objects are tracked: a handle JS itself only borrows for a callback ends with that call.
        const dependent = GuestResource.ensureTrack(h);
        if (dependent === undefined) continue;
        const parents: { parent: TrackedHandle; mode: BorrowMode }[] = [];
        for (const b of r.borrows) {
          const p = args[b.param];
          const parent = GuestResource.is(p) ? GuestResource.ensureTrack(p) : undefined;
          if (parent !== undefined) parents.push({ parent, mode: b.mode });
        }
        if (parents.length > 0) cell.tracker.lend(dependent, parents);
      }
    }
  };
  const hasErrorRules = results.some((r) => r.from === 'error');

  return function (this: unknown, ...args: unknown[]): unknown {
    before(args);
    let value: unknown;
    try {
      value = call(...args);
    } catch (e) {
      if (hasErrorRules && e instanceof ResultError) after(args, e.payload, 'error');
      throw e;
    }
    if (results.length > 0) after(args, value, 'return');
    return value;
  };
}

/** How to find the values at `path` inside a JS value of type `t`. */
function compilePath(t: ValType, path: readonly string[]): Collect {
  if (path.length === 0) return (v, out) => void out.push(v);
  const [step, ...rest] = path as [string, ...string[]];
  switch (t.kind) {
    case 'option': {
      const next = compilePath(t.type, rest);
      if (t.type.kind === 'option') return (v, out) => taggedCase(v, 'some', next, out);
      return (v, out) => {
        if (v !== undefined) next(v, out);
      };
    }
    case 'result': {
      const inner = step === 'ok' ? t.ok : t.err;
      if (inner === undefined) return () => {};
      const next = compilePath(inner, rest);
      return (v, out) => taggedCase(v, step, next, out);
    }
    case 'list': {
      const next = compilePath(t.element, rest);
      return (v, out) => {
        if (Array.isArray(v)) for (const e of v) next(e, out);
      };
    }
    case 'tuple': {
      const i = Number(step);
      const next = compilePath(t.types[i]!, rest);
      return (v, out) => {
        if (Array.isArray(v)) next(v[i], out);
      };
    }
    case 'record': {
      const field = t.fields.find((f) => f.name === step)!;
      const key = toCamelCase(field.name);
      const next = compilePath(field.type, rest);
      return (v, out) => {
        if (typeof v === 'object' && v !== null) next((v as Record<string, unknown>)[key], out);
      };
    }
    case 'variant': {
      const c = t.cases.find((x) => x.name === step);
      if (c?.type === undefined) return () => {};
      const next = compilePath(c.type, rest);
      return (v, out) => taggedCase(v, step, next, out);
    }
    default:
      // verify.ts rejected paths that do not fit the type.
      return () => {};
  }
}

function taggedCase(v: unknown, tag: string, next: Collect, out: unknown[]): void {
  if (typeof v === 'object' && v !== null && (v as { tag?: unknown }).tag === tag) next((v as { val: unknown }).val, out);
}
