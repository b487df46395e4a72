/**
 * Rust's borrow rules on live handles, applied at each export call from what
 * the verified rdylib:abi section says about the function, on the ownership
 * records the resources' owners keep (host/runtime/ownership.ts), so a call
 * from JS, from a host callback or from a linked plugin meets the same state:
 *
 * - before the call: every handle among the arguments, inside lists,
 *   records, tuples and variants included (the section's `params` paths),
 *   is collected with how the call uses it, and checked all together
 *   (`checkUses`: loans, library-static, the same handle twice); a
 *   parameter listed in `staticParams` must be library-static. Nothing has
 *   changed yet, so a refused call leaves every state as it was;
 * - during the call: each handle it borrows is lent to it, so a host
 *   callback cannot drop or mutate what the plugin is using; a call that
 *   returns a promise (an async export, or any export of an instance entered
 *   through JSPI, sync-typed ones included) lasts until its promise settles,
 *   so a handle borrowed by a pending call stays borrowed (a conflicting
 *   call is refused with BorrowError before it enters the plugin);
 * - after the call returned: every handle in the result the section
 *   describes is marked library-static or made a dependent of the arguments
 *   it borrows (`lend`), found by its path in the JS value (jco's shapes:
 *   options as value-or-undefined, top-level results as value-or-throw,
 *   nested ones and variants as `{ tag, val }`).
 *
 * A function with nothing to enforce gets no plan, so its calls cost nothing extra.
 */
import { BorrowError, ResultError } from '../errors.ts';
import type { FuncType, ValType } from '../types.ts';
import { isDirectlyLifted, wrapsDirectlyLifted } from '../abi/lift.ts';
import { toCamelCase } from '../abi/names.ts';
import { returnsPromise } from '../runtime/async-calls.ts';
import type { JsFunction } from '../runtime/export-cell.ts';
import { type GuestClassBinding, handleOf, isUsable, liveBinding } from '../runtime/guest-resources.ts';
import { type BelowFace, belowFaceOf, DECLINED, setBelowFace } from '../abi/below-face.ts';
import { asResourceType } from '../abi/handles.ts';
import type { ResourceJsBinding, ResourceType } from '../abi/resource-type.ts';
import { hostObjectRecord } from '../runtime/host-resources.ts';
import { checkUse, checkUses, endCall, endLoan, lend, lendToCall, refusesUse, type Borrower, type HandleAccess, type HandleRecord, type HandleUse, type Loan } from '../runtime/ownership.ts';
import type { AbiFunction, BorrowMode } from './section.ts';

interface ParamRule {
  readonly index: number;
  /** The handles of the argument the rule is about (the argument itself, or inside it). */
  readonly collect: Collect | undefined;
  readonly access: HandleAccess;
  readonly role: string;
  readonly mustBeStatic: boolean;
}

/** Collects the JS values at one path of a value. */
type Collect = (value: unknown, out: unknown[]) => void;

interface ResultRule {
  /** Which JS value the path starts from: the returned value, or a ResultError's payload. */
  readonly from: 'return' | 'error';
  readonly collect: Collect;
  readonly lifetime: 'static' | 'dependent';
  readonly borrows: readonly { readonly param: number; readonly mode: BorrowMode }[];
}

/** An export's lifted function as the runtime gives it (host/runtime/instantiate.ts `RuntimeFunc`). */
export interface LiftedCall {
  readonly type: FuncType;
  readonly call: JsFunction;
  /** The instance the call runs in. */
  readonly inst?: object;
  /** Whether `call` returns a Promise (host/runtime/async-calls.ts `returnsPromise`). */
  readonly returnsPromise?: boolean;
}

/**
 * Wraps `f.call` (an export's lifted function, running in the instance
 * `f.inst`) with the rules of `fn`, or
 * returns undefined when the section asks for nothing at run time.
 *
 * `callsOut` (true unless the caller knows better): whether JS can run while a call into the plugin is in
 * progress (the plugin has imports: host functions, trait objects, linked
 * plugins). Only then can anything meet the loans a synchronous call holds on
 * what it borrows, so only then are they made: without imports nothing runs
 * between lending and returning (no callback, no other plugin; finalizers
 * and promise reactions wait for the call to end), and the checks before the
 * call (on the loans that outlive calls: dependents, library-static) are the
 * same either way. A call that returns a promise lasts until it settles, and
 * JS runs meanwhile, so its loans are always made.
 */
export function withBorrowRules(fn: AbiFunction, f: LiftedCall, callsOut = true): JsFunction | undefined {
  const { type, call } = f;
  const callee = f.inst;
  // Where a sync-typed export's call returns a promise (its instance is entered through JSPI),
  // the plugin may still be using what it borrowed until that promise settles, as for an async export.
  const settlesLater = returnsPromise(f);
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

  const name = fn.name;
  const inProgress = `\`${name}\` (in progress)`;
  const lends = callsOut || settlesLater;

  /** The use of one handle among the arguments, or undefined when `v` is not a usable handle. */
  const useOf = (p: ParamRule, v: unknown): HandleUse | undefined => {
    const h = handleOf(v);
    if (h === undefined) return hostObjectUse(p, v);
    // Not a usable handle: lowering refuses it with the reason (type, disposed, moved, unloaded).
    if (!isUsable(h)) return undefined;
    const owner = h.binding;
    // A borrowed handle needs a record to carry the call's loan; a moved one (or one no loan is made on) keeps whatever it has.
    const record = p.access === 'consume' || !lends ? owner.recordOf(h.rep) : owner.ensureRecord(h);
    if (p.mustBeStatic && record?.isStatic !== true) {
      throw new BorrowError(`\`${name}\`: ${p.role} must be a library-static ('static) handle, but ${owner.labelOf(h)} is not`);
    }
    return { owner, rep: h.rep, record, resource: owner.resourceName, access: p.access, role: p.role, via: h.via };
  };
  /**
   * A JS object where a handle goes: a host object (a resource JS implements, `&dyn T`), or
   * something lowering refuses. A borrow of it is lent to the call as a plugin's handle is, so
   * while a pending call holds `&mut src`, another call taking `src` is refused (E0499/E0502).
   * By value it is not a move: the host gives shared ownership (an `Rc`, host-resources.ts).
   */
  const hostObjectUse = (p: ParamRule, v: unknown): HandleUse | undefined => {
    if (p.access === 'consume' || !lends || p.mustBeStatic || typeof v !== 'object' || v === null) return undefined;
    return { owner: v, rep: 0, record: hostObjectRecord(v), resource: 'host object', access: p.access, role: p.role, via: undefined };
  };
  const add = (uses: HandleUse[] | undefined, p: ParamRule, v: unknown): HandleUse[] | undefined => {
    const use = useOf(p, v);
    if (use === undefined) return uses;
    if (uses === undefined) return [use];
    uses.push(use);
    return uses;
  };

  /** The handles the call uses, checked together; undefined when it uses none. */
  const before = (args: ArrayLike<unknown>): HandleUse[] | undefined => {
    let uses: HandleUse[] | undefined;
    for (let i = 0; i < params.length; i++) {
      const p = params[i]!;
      if (p.collect === undefined) uses = add(uses, p, args[p.index]);
      else {
        const found: unknown[] = [];
        p.collect(args[p.index], found);
        for (const v of found) uses = add(uses, p, v);
      }
    }
    if (uses !== undefined) checkUses(name, uses);
    return uses;
  };

  const after = (args: ArrayLike<unknown>, value: unknown, from: 'return' | 'error'): void => {
    for (const r of results) {
      if (r.from !== from) continue;
      const found: unknown[] = [];
      r.collect(value, found);
      for (const v of found) {
        const h = handleOf(v);
        if (h === undefined) continue;
        const record = h.binding.ensureRecord(h);
        if (r.lifetime === 'static') {
          record.isStatic = true;
          continue;
        }
        const parents: { parent: HandleRecord; mode: BorrowMode }[] = [];
        for (const b of r.borrows) {
          const p = handleOf(args[b.param]);
          if (p !== undefined && isUsable(p)) parents.push({ parent: p.binding.ensureRecord(p), mode: b.mode });
        }
        lend(record, parents);
      }
    }
  };
  const hasErrorRules = results.some((r) => r.from === 'error');

  if (settlesLater) {
    // A call that returns a promise is in progress until it settles: its
    // loans last that long (a handle borrowed by a pending call stays
    // borrowed), and the result rules apply to the value it resolves with.
    return function (this: unknown, ...args: unknown[]): unknown {
      const uses = before(args);
      let borrower: Borrower | undefined;
      if (uses !== undefined) {
        borrower = { label: inProgress };
        lendToCall(borrower, callee, uses);
      }
      const settle = (): void => {
        if (borrower !== undefined) endCall(borrower, uses!);
      };
      let pending: unknown;
      try {
        pending = call(...args);
      } catch (e) {
        settle();
        throw e;
      }
      return Promise.resolve(pending).then(
        (value: unknown) => {
          settle();
          if (results.length > 0) after(args, value, 'return');
          return value;
        },
        (e: unknown) => {
          settle();
          if (hasErrorRules && e instanceof ResultError) after(args, e.payload, 'error');
          throw e;
        },
      );
    };
  }

  // The common plan: one handle argument at the top level (`self`, or a single `&R` or `R`), checked without collecting.
  const single = params.length === 1 && params[0]!.collect === undefined ? params[0] : undefined;
  /** `checkUse` on the use of handle `v` by the rule `p`, when `v` is a usable handle. */
  const checkUseOf = (p: ParamRule, v: unknown): void => {
    const use = useOf(p, v);
    if (use !== undefined) checkUse(name, use);
  };
  /**
   * The single handle's check, for calls that make no loans. Unless the rule
   * needs the handle static, nothing can refuse a handle without a record (no
   * loans, not static) or one whose record `refusesUse` (`checkUse`'s rule on
   * the record `useOf` would find: this plan makes no loans, so `recordOf`)
   * lets through: it is passed on without making a use (no allocation per call,
   * e.g. every `next()` of an iterator, which has a record as a dependent).
   */
  const checkSingle = (p: ParamRule): ((v: unknown) => void) => {
    const { mustBeStatic, access } = p;
    // Small, with the full check (`checkUseOf`) out of line: V8 inlines this into the
    // call's wrapper (a self method's, js-exports.ts) with the lifted function, within
    // one budget of bytecode.
    return (v) => {
      const h = handleOf(v);
      if (h === undefined) return;
      if (!mustBeStatic) {
        const r = h.binding.keptRecordOf(h);
        if (r === undefined || !refusesUse(r, access, h.via)) return;
      }
      checkUseOf(p, v);
    };
  };
  const checkOne = single === undefined ? undefined : checkSingle(single);
  const check =
    single === undefined || checkOne === undefined
      ? (args: ArrayLike<unknown>): void => void before(args)
      : (args: ArrayLike<unknown>): void => checkOne(args[single.index]);

  /** The call itself, then the result rules on what it returned or threw. */
  const callMarking = (args: unknown[]): unknown => {
    if (results.length === 0) return call(...args);
    let value: unknown;
    try {
      value = call(...args);
    } catch (e) {
      if (hasErrorRules && e instanceof ResultError) after(args, e.payload, 'error');
      throw e;
    }
    after(args, value, 'return');
    return value;
  };

  if (!lends) {
    if (single !== undefined && checkOne !== undefined && results.length === 0) return checkedSingle(type.params.length, single.index, checkOne, call);
    return function (this: unknown, ...args: unknown[]): unknown {
      check(args);
      return callMarking(args);
    };
  }

  const lending = function (this: unknown, ...args: unknown[]): unknown {
    const uses = before(args);
    if (uses === undefined) return callMarking(args);
    const borrower: Borrower = { label: inProgress };
    lendToCall(borrower, callee, uses);
    try {
      return callMarking(args);
    } finally {
      endCall(borrower, uses);
    }
  };
  if (single === undefined || results.length !== 0 || single.access === 'consume' || single.mustBeStatic) return lending;
  /**
   * The record of the single borrowed handle (a trait object's `&self`,
   * `&mut self`) when nothing refuses it: a usable guest handle whose loans
   * do not block this use (`refusesUse`, `checkUse`'s rule, as a linked plugin's call
   * meets the loan its own caller holds) and that is not a library-static
   * one borrowed mutably. Then `before` would pass, and the call's one loan
   * is made without collecting; anything else takes `lending`, which
   * refuses or collects.
   */
  const access = single.access;
  const unrefusable = (v: unknown): HandleRecord | undefined => {
    const h = handleOf(v);
    if (h === undefined || !isUsable(h)) return undefined;
    const r = h.binding.ensureRecord(h);
    return refusesUse(r, access, h.via) ? undefined : r;
  };
  const loan: Loan = { borrower: { label: inProgress }, mode: access, holder: callee };
  const planned = lendingSingle(type.params.length, single.index, unrefusable, loan, call, lending);
  // Below the face: the lifted function's entry (abi/lift.ts, for a `self` borrowing its own instance's resource), under this plan's rules.
  const self = type.params[0]!.type;
  if (single.index === 0 && planned !== lending && self.kind === 'borrow') {
    const lifted = belowFaceOf(call);
    if (lifted !== undefined) setBelowFace(planned, lendingBelow(lifted, asResourceType(self.resource), access, loan));
  }
  return planned;
}

/**
 * `lendingSingle`'s call below its face (abi/below-face.ts), for a plan
 * whose single handle is `self`, of resource type `rt`: given as the rep,
 * lent by a call running in `via`. The rules are
 * `unrefusable`'s on the record it would find, the binding's record of the
 * rep (guest-resources.ts `lendRecord`: what `ensureRecord` gives for an
 * object lent for it), then the plan's one loan around the lifted function's
 * own entry; anything `unrefusable` would turn to `lending` is DECLINED, so
 * the caller makes the call through the plan, which refuses it.
 *
 * The record last found is kept for the next call on the same rep while it
 * is not retired (every removal from the binding's records retires it, so
 * one that is not is still the binding's record for that rep), as the
 * object a linked call lends keeps it (guest-resources.ts HandleState
 * `record`): no map lookup per call.
 */
function lendingBelow(lifted: BelowFace, rt: ResourceType, access: 'shared' | 'exclusive', loan: Loan): BelowFace {
  // Fields, not `let`s the closures share: V8 checks a captured `let` for its temporal dead zone at every read.
  const kept: { record: HandleRecord | undefined; rep: number; binding: GuestClassBinding | undefined } = { record: undefined, rep: 0, binding: undefined };
  /**
   * The record of `rep` when `js` is a guest resource binding whose plugin is loaded (`isUsable`'s rule on
   * the object lent for `rep`, which is just lent: its state is usable), else undefined: the binding's,
   * then kept. Out of line: the call below checks the kept one itself, whose binding was found to be
   * one (`liveBinding`) when it was kept.
   */
  const keep = (js: ResourceJsBinding, rep: number): HandleRecord | undefined => {
    const live = liveBinding(js);
    if (live === undefined) return undefined;
    kept.rep = rep;
    kept.binding = live;
    return (kept.record = live.lendRecord(rep));
  };
  return (rep, other, via, b, c) => {
    if (other !== rt) return DECLINED;
    const js = rt.js;
    const binding = kept.binding;
    let r = kept.record;
    if (r === undefined || binding !== js || kept.rep !== rep || r.retired !== false || binding.cell.live !== true) {
      r = keep(js, rep);
      if (r === undefined) return DECLINED;
    }
    if (refusesUse(r, access, via)) return DECLINED;
    r.loans.push(loan);
    try {
      return lifted(rep, rt, via, b, c);
    } finally {
      endLoan(r, loan);
    }
  };
}

/**
 * `call` with one loan on the record `unrefusable` finds for argument
 * `index` (made before the call, ended after it), specialised on the
 * declared arity (1-3); a call it finds nothing for, or with another
 * argument count, goes to `lending`.
 *
 * Every call of the plan lends the same loan object: its borrower (only a
 * label), mode and holder are the plan's, and nothing changes a loan or
 * tells two equal ones apart (messages and `plugin.handles()` read their
 * fields; `endLoan` removes one entry of it, so calls of the plan nested on
 * one handle hold one entry each). A new one per call cost an allocation and
 * V8's write barrier (the young loan stored into the record's array):
 * ~100 of ~990 instructions per `shape.area()`.
 */
function lendingSingle(
  arity: number,
  index: number,
  unrefusable: (v: unknown) => HandleRecord | undefined,
  loan: Loan,
  call: JsFunction,
  lending: JsFunction,
): JsFunction {
  switch (arity) {
    case 1:
      return function (this: unknown, a: unknown) {
        const r = arguments.length === 1 ? unrefusable(a) : undefined;
        if (r === undefined) return lending(...arguments);
        r.loans.push(loan);
        try {
          return call(a);
        } finally {
          endLoan(r, loan);
        }
      } as JsFunction;
    case 2:
      return function (this: unknown, a: unknown, b: unknown) {
        const r = arguments.length === 2 ? unrefusable(index === 0 ? a : b) : undefined;
        if (r === undefined) return lending(...arguments);
        r.loans.push(loan);
        try {
          return call(a, b);
        } finally {
          endLoan(r, loan);
        }
      } as JsFunction;
    case 3:
      return function (this: unknown, a: unknown, b: unknown, c: unknown) {
        const r = arguments.length === 3 ? unrefusable(index === 0 ? a : index === 1 ? b : c) : undefined;
        if (r === undefined) return lending(...arguments);
        r.loans.push(loan);
        try {
          return call(a, b, c);
        } finally {
          endLoan(r, loan);
        }
      } as JsFunction;
    default:
      return lending;
  }
}

/**
 * `call` after `check` of argument `index`, specialised on the declared
 * arity (0-3) so a call with that many arguments makes no rest array and
 * no spread; any other count goes through unchanged for the lifted
 * function to report.
 */
function checkedSingle(arity: number, index: number, check: (v: unknown) => void, call: JsFunction): JsFunction {
  // Called as `other(...arguments)`, never with `[...arguments]`: V8 forwards a spread of
  // `arguments` into a call without making the object, but an array literal of it makes the
  // arguments object on every call, the right-count ones included (~46 instructions + an allocation).
  const other = (...args: unknown[]): unknown => {
    check(args[index]);
    return call(...args);
  };
  switch (arity) {
    case 1:
      return isDirectlyLifted(call) ? checkedDirectUnary(other, check, call) : checkedUnary(other, check, call);
    case 2:
      return function (this: unknown, a: unknown, b: unknown) {
        if (arguments.length !== 2) return other(...arguments);
        check(index === 0 ? a : b);
        return call(a, b);
      } as JsFunction;
    case 3:
      return function (this: unknown, a: unknown, b: unknown, c: unknown) {
        if (arguments.length !== 3) return other(...arguments);
        check(index === 0 ? a : index === 1 ? b : c);
        return call(a, b, c);
      } as JsFunction;
    default:
      return other;
  }
}

// Two copies of one closure, on purpose: each call site `call(a)` then sees
// lifted functions of one family only, so V8 keeps inlining them (see
// isDirectlyLifted in abi/lift.ts). A method taking only `self` (len(),
// next()) is the common shape both families share.
function checkedUnary(other: (...args: unknown[]) => unknown, check: (v: unknown) => void, call: JsFunction): JsFunction {
  return function (this: unknown, a: unknown) {
    if (arguments.length !== 1) return other(...arguments);
    check(a);
    return call(a);
  } as JsFunction;
}
function checkedDirectUnary(other: (...args: unknown[]) => unknown, check: (v: unknown) => void, call: JsFunction): JsFunction {
  const checked = function (this: unknown, a: unknown) {
    if (arguments.length !== 1) return other(...arguments);
    check(a);
    return call(a);
  } as JsFunction;
  wrapsDirectlyLifted(checked);
  return checked;
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
