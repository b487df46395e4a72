/**
 * Turns a component instance's exports into the JS shape jco produces:
 * top-level functions as functions, exported instances (interfaces) as objects
 * of camelCase functions and PascalCase resource classes.
 */
import type { ResourceTypeRef } from '../types.ts';
import { ResourceType } from '../abi/resource-type.ts';
import { isDirectlyLifted } from '../abi/lift.ts';
import type { RuntimeFunc, RuntimeInstance, RuntimeItem } from './instantiate.ts';
import { GuestClassBinding, makeGuestClass } from './guest-resources.ts';
import { HOST_INSTANCE } from './host-resources.ts';
import { camel, parsedName, pascal } from './js-names.ts';
import type { ExportCell, JsFunction } from './export-cell.ts';
import { exportCall, returnsPromise } from './async-calls.ts';

export type ExportObject = Record<string, unknown>;

/** What the JS wrappers of one instantiation share. */
export interface ExportContext {
  /** Every wrapper calls through the cell, which unload severs. */
  readonly cell: ExportCell;
  /**
   * The hook through which the plugin layer adds what the runtime knows
   * nothing about (the borrow rules of its rdylib:abi section): given the
   * interface (`''` for the world), the component-level function name and
   * the lifted function (type, call, instance), returns the function to call instead, or
   * undefined to call it as it is.
   */
  readonly wrapCall: ((iface: string, fn: string, f: RuntimeFunc) => JsFunction | undefined) | undefined;
  /** Filled with the cell slot of each export function (linking reuses them). */
  readonly slots: Map<RuntimeFunc, number>;
  /**
   * The face is made at unload, for a generation about to be revoked (JS had
   * not asked for it): none of its functions will be called, so none is made.
   */
  readonly unloading: boolean;
}

/**
 * Puts the export's function into the cell: the lifted function (wrapped
 * with its borrow rules when the section has any, and given its async JS
 * shape), made at its first call (export-cell.ts `compile`), until unload
 * swaps in a thrower. Returns its slot.
 */
function register(f: RuntimeFunc, cx: ExportContext, iface: string, name: string): number {
  const cell = cx.cell;
  const item = iface === '' ? name : `${iface}#${name}`;
  // Async exports return a Promise; streams and futures take their JS shapes (async-calls.ts).
  const async = returnsPromise(f);
  const slot = cell.addFunction(item, () => callOf(f, cx, iface, name, item, async), async ? 'async' : 'sync');
  if (!cx.slots.has(f)) cx.slots.set(f, slot);
  return slot;
}

/** The function in an export's slot: the lifted function, with its borrow rules and its JS shape. */
function callOf(f: RuntimeFunc, cx: ExportContext, iface: string, name: string, item: string, async: boolean): JsFunction {
  const ruled = cx.wrapCall?.(iface, name, f) ?? f.call;
  return exportCall(f.type, async, ruled, cx.cell, item, f.inst?.store) ?? ruled;
}

/** A resource type JS gets a class for (`makeClasses`): one a guest defined, not a host resource passed through. */
function definedByGuest(rt: ResourceTypeRef): rt is ResourceType {
  return rt instanceof ResourceType && rt.impl !== HOST_INSTANCE;
}

/**
 * The export as JS calls it: `cell.fns[slot]`, or at the slot's first call
 * what `cell.compile` makes (out of line, so the call site sees only the
 * made functions). Specialised on the declared arity so a call with the
 * right number of arguments is a plain call (no rest array, no spread); any
 * other count is passed through unchanged so the lifted function reports it.
 */
function wrap(f: RuntimeFunc, cx: ExportContext, iface: string, name: string): (...args: unknown[]) => unknown {
  const cell = cx.cell;
  const slot = register(f, cx, iface, name);
  switch (f.type.params.length) {
    case 0:
      return function (this: unknown) {
        const call = cell.fns[slot] ?? cell.compile(slot);
        return arguments.length === 0 ? call() : call(...arguments);
      };
    case 1:
      return function (this: unknown, a: unknown) {
        const call = cell.fns[slot] ?? cell.compile(slot);
        return arguments.length === 1 ? call(a) : call(...arguments);
      } as (...args: unknown[]) => unknown;
    case 2:
      return function (this: unknown, a: unknown, b: unknown) {
        const call = cell.fns[slot] ?? cell.compile(slot);
        return arguments.length === 2 ? call(a, b) : call(...arguments);
      } as (...args: unknown[]) => unknown;
    case 3:
      return function (this: unknown, a: unknown, b: unknown, c: unknown) {
        const call = cell.fns[slot] ?? cell.compile(slot);
        return arguments.length === 3 ? call(a, b, c) : call(...arguments);
      } as (...args: unknown[]) => unknown;
    default:
      return (...args: unknown[]) => (cell.fns[slot] ?? cell.compile(slot))(...args);
  }
}

/**
 * A `[method]` on the class prototype `proto` (as property `key`): `this`
 * becomes the `self` argument of `cell.fns[slot]`, called directly (not
 * through `wrap`'s function, one call less per method call). Specialised
 * like `wrap`. A method taking only `self` starts as `selfMethodOnFirstCall`.
 */
function methodOf(cell: ExportCell, slot: number, arity: number, unloading: boolean, proto: object, key: string): (this: unknown, ...args: unknown[]) => unknown {
  switch (arity) {
    case 1:
      // Made at unload, the slot only ever holds its thrower.
      if (unloading) return selfMethod(cell, slot);
      return selfMethodOnFirstCall(cell, slot, proto, key);
    case 2:
      return function (this: unknown, a: unknown) {
        const call = cell.fns[slot] ?? cell.compile(slot);
        return arguments.length === 1 ? call(this, a) : call(this, ...arguments);
      } as (this: unknown, ...args: unknown[]) => unknown;
    case 3:
      return function (this: unknown, a: unknown, b: unknown) {
        const call = cell.fns[slot] ?? cell.compile(slot);
        return arguments.length === 2 ? call(this, a, b) : call(this, ...arguments);
      } as (this: unknown, ...args: unknown[]) => unknown;
    default:
      return function (this: unknown, ...args: unknown[]) {
        return (cell.fns[slot] ?? cell.compile(slot))(this, ...args);
      };
  }
}

/**
 * A method taking only `self` until its first call, which makes the slot's
 * function and then puts in its place on `proto` the copy of the method
 * closure for that function's family (below): which copy depends on what the
 * function is, and making it at face build was ~40% of building the 1.1 MB
 * bench component's face (a load pays only for the functions it calls).
 * Anyone still holding this first method (read off the prototype before the
 * first call) keeps calling through the slot, as the copies do.
 */
function selfMethodOnFirstCall(cell: ExportCell, slot: number, proto: object, key: string): (this: unknown, ...args: unknown[]) => unknown {
  const first = function (this: unknown) {
    const call = cell.fns[slot] ?? cell.compile(slot);
    // Unless someone else replaced it meanwhile (the property is writable).
    if (Object.getOwnPropertyDescriptor(proto, key)?.value === first) {
      const method = isDirectlyLifted(call) ? directSelfMethod(cell, slot) : selfMethod(cell, slot);
      Object.defineProperty(proto, key, { value: method, writable: true, configurable: true });
    }
    return arguments.length === 0 ? call(this) : call(this, ...arguments);
  };
  return first;
}

// Two copies of one closure, on purpose, as in rdylib/call-plan.ts checkedUnary:
// the call site `cell.fns[slot](this)` of each then sees one family of lifted
// functions (abi/lift.ts isDirectlyLifted), so V8 keeps inlining the callee.
// Unload's thrower in the slot is a rare path either way. The slot's function
// was made before either copy exists (selfMethodOnFirstCall), so it is read as it is.
function selfMethod(cell: ExportCell, slot: number): (this: unknown, ...args: unknown[]) => unknown {
  return function (this: unknown) {
    return arguments.length === 0 ? cell.fns[slot]!(this) : cell.fns[slot]!(this, ...arguments);
  };
}
function directSelfMethod(cell: ExportCell, slot: number): (this: unknown, ...args: unknown[]) => unknown {
  return function (this: unknown) {
    return arguments.length === 0 ? cell.fns[slot]!(this) : cell.fns[slot]!(this, ...arguments);
  };
}

/** Builds the exports object of a whole instance. */
export function exportsToJs(exports: RuntimeInstance, cx: ExportContext): ExportObject {
  const out: ExportObject = {};
  const classes = makeClasses(exports, cx);
  for (const [name, item] of exports) {
    const v = itemToJs(name, item, cx);
    if (v === undefined) continue;
    out[name] = v;
    const p = parsedName(name);
    if (p.kind === 'label' && item.kind === 'func' && camel(name) !== name) out[camel(name)] = v;
  }
  for (const [name, cls] of classes) out[pascal(name)] = cls;
  attachResourceFunctions(exports, classes, out, cx, '');
  return out;
}

function itemToJs(name: string, item: RuntimeItem, cx: ExportContext): unknown {
  switch (item.kind) {
    case 'func':
      return wrap(item.func, cx, '', name);
    case 'instance':
      return instanceToJs(name, item.instance, cx);
    default:
      return undefined;
  }
}

function instanceToJs(path: string, inst: RuntimeInstance, cx: ExportContext): ExportObject {
  const out: ExportObject = {};
  const classes = makeClasses(inst, cx);
  for (const [name, cls] of classes) out[pascal(name)] = cls;
  for (const [name, item] of inst) {
    if (item.kind === 'func' && parsedName(name).kind === 'label') out[camel(name)] = wrap(item.func, cx, path, name);
    else if (item.kind === 'instance') out[name] = instanceToJs(`${path}/${name}`, item.instance, cx);
  }
  attachResourceFunctions(inst, classes, out, cx, path);
  return out;
}

type ResourceClass = (new (...args: unknown[]) => object) & Record<string, unknown>;

/**
 * One class per exported resource type defined by a guest. The class becomes
 * the type's JS binding, so handles lifted anywhere come out as its instances.
 */
function makeClasses(inst: RuntimeInstance, cx: ExportContext): Map<string, ResourceClass> {
  const classes = new Map<string, ResourceClass>();
  for (const [name, item] of inst) {
    if (item.kind !== 'type' || item.entry.kind !== 'resource') continue;
    const rt = item.entry.ref;
    if (!definedByGuest(rt)) continue;
    const existing = classOf.get(rt);
    if (existing !== undefined) {
      classes.set(name, existing);
      continue;
    }
    const className = pascal(name);
    const made = makeGuestClass(className);
    const cls = made.cls as unknown as ResourceClass;
    constructorSetters.set(cls, made.setConstructor);
    const binding = new GuestClassBinding(rt, made.cls, cx.cell);
    made.setBinding(binding);
    cx.cell.addBinding(binding);
    rt.js = binding;
    classOf.set(rt, cls);
    classes.set(name, cls);
  }
  return classes;
}

const classOf = new WeakMap<ResourceTypeRef, ResourceClass>();
const constructorSetters = new WeakMap<ResourceClass, (f: (...args: unknown[]) => unknown) => void>();

/** Installs `[constructor]`, `[method]` and `[static]` functions on their classes. */
function attachResourceFunctions(
  inst: RuntimeInstance,
  classes: Map<string, ResourceClass>,
  out: ExportObject,
  cx: ExportContext,
  path: string,
): void {
  for (const [name, item] of inst) {
    if (item.kind !== 'func') continue;
    const p = parsedName(name);
    if (p.kind === 'label' || p.kind === 'interface') continue;
    const cls = classes.get(p.resource);
    if (cls === undefined) {
      // A resource function whose type is not exported here: still reachable by its full name.
      out[name] = wrap(item.func, cx, path, name);
      continue;
    }
    switch (p.kind) {
      case 'constructor':
        constructorSetters.get(cls)?.(wrap(item.func, cx, path, name));
        break;
      case 'method': {
        const key = camel(p.name);
        Object.defineProperty(cls.prototype, key, {
          value: methodOf(cx.cell, register(item.func, cx, path, name), item.func.type.params.length, cx.unloading, cls.prototype, key),
          writable: true,
          configurable: true,
        });
        break;
      }
      case 'static':
        cls[camel(p.name)] = wrap(item.func, cx, path, name);
        break;
    }
  }
}
