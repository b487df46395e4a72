/**
 * Turns a component instance's exports into the JS shape jco produces:
 * top-level functions as functions, exported instances (interfaces) as objects
 * of camelCase functions and PascalCase resource classes.
 */
import type { ResourceTypeRef } from '../types.ts';
import { ResourceType } from '../abi/resource-type.ts';
import { isDirectlyLifted, liftedFamily } from '../abi/lift.ts';
import type { TypeEntry } from '../validate/type-space.ts';
import { paramCount, type RuntimeFunc, type RuntimeInstance, type RuntimeItem } from './instantiate.ts';
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
  /**
   * Filled with the export function behind each cell slot, at the slot's index (linking finds a
   * function's first slot with `indexOf`). An array written in slot order, not a Map from function
   * to slot: every load's face filled one entry per export (kv: 28), where linking reads it rarely.
   */
  readonly slotFuncs: RuntimeFunc[];
  /**
   * Faces made with one key share their plans (`planFor`): the validated
   * component the exports come from, whose every instantiation exports the
   * same names with the same kinds (a plan still serves only exports that match it).
   */
  readonly planKey: object;
}

/** The label of function `name`'s slot in instance `iface` (`''`: the world's exports), which errors name the function by. */
function slotLabel(iface: string, name: string): string {
  return iface === '' ? name : `${iface}#${name}`;
}

/**
 * Puts the export's function into the cell, labelled `item` (`slotLabel`): the lifted function (wrapped
 * with its borrow rules when the section has any, and given its async JS
 * shape), made at its first call (export-cell.ts `compile`), until unload
 * swaps in a thrower. Returns its slot.
 */
function register(f: RuntimeFunc, cx: ExportContext, iface: string, name: string, item: string): number {
  const cell = cx.cell;
  // Async exports return a Promise; streams and futures take their JS shapes (async-calls.ts).
  const async = returnsPromise(f);
  const slot = cell.addFunction(item, () => callOf(f, cx, iface, name, item, async), async ? 'async' : 'sync');
  cx.slotFuncs[slot] = f;
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
 * A one-parameter function a face holds (`held`) starts as `unaryOnFirstCall`.
 */
function wrap(f: RuntimeFunc, cx: ExportContext, iface: string, name: string, item: string, arity: number, held?: HeldAt): (...args: unknown[]) => unknown {
  const cell = cx.cell;
  const slot = register(f, cx, iface, name, item);
  switch (arity) {
    case 0:
      return function (this: unknown) {
        const call = cell.fns[slot] ?? cell.compile(slot);
        return arguments.length === 0 ? call() : call(...arguments);
      };
    case 1:
      if (held !== undefined) return unaryOnFirstCall(cell, slot, held);
      return unary(cell, slot);
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

/** Where a face holds a function: the object and each key it is under. */
interface HeldAt {
  readonly out: ExportObject;
  readonly keys: readonly string[];
}

/**
 * Puts `made` under `key` of `target` in place of `first` (a function made to
 * be replaced at its first call), unless someone else replaced it meanwhile
 * (the property is writable). Reflect's, not Object's: on an object JS froze
 * or sealed it returns false instead of throwing, and `first` stays.
 * `enumerable` as the property was made (a face's own keys are; a prototype's
 * methods are not).
 */
function replaceFirst(target: object, key: string, first: unknown, made: unknown, enumerable: boolean): void {
  if (Object.getOwnPropertyDescriptor(target, key)?.value === first) {
    Reflect.defineProperty(target, key, { value: made, writable: true, enumerable, configurable: true });
  }
}

/**
 * A one-parameter function on a face (`held`) until its first call, which
 * makes the slot's function and then puts in its place, under each key still
 * holding this first function, the copy of the wrapper for that function's
 * family (`unaryFor`), as `selfMethodOnFirstCall` does for methods. Anyone
 * still holding this first function keeps calling through the slot.
 */
function unaryOnFirstCall(cell: ExportCell, slot: number, held: HeldAt): (...args: unknown[]) => unknown {
  const first = function (this: unknown, a: unknown) {
    const call = cell.fns[slot] ?? cell.compile(slot);
    const made = unaryFor(call, cell, slot);
    for (const key of held.keys) replaceFirst(held.out, key, first, made, true);
    return arguments.length === 1 ? call(a) : call(...arguments);
  } as (...args: unknown[]) => unknown;
  return first;
}

// Three copies of one closure, on purpose, as selfMethod and directSelfMethod
// below: the one-parameter functions of a face (echo, echo-bytes, echo-fields)
// shared one literal, whose call site `call(a)` then saw lifted functions of
// several literals and called them through V8's generic Call builtins. The
// copy for a family (abi/lift.ts liftedFamily) sees that family's only.
function unaryFor(call: JsFunction, cell: ExportCell, slot: number): (...args: unknown[]) => unknown {
  switch (liftedFamily(call)) {
    case 'direct':
      return directUnary(cell, slot);
    case 'memory-result':
      return memoryResultUnary(cell, slot);
    default:
      return unary(cell, slot);
  }
}
function unary(cell: ExportCell, slot: number): (...args: unknown[]) => unknown {
  return function (this: unknown, a: unknown) {
    const call = cell.fns[slot] ?? cell.compile(slot);
    return arguments.length === 1 ? call(a) : call(...arguments);
  } as (...args: unknown[]) => unknown;
}
function directUnary(cell: ExportCell, slot: number): (...args: unknown[]) => unknown {
  return function (this: unknown, a: unknown) {
    const call = cell.fns[slot] ?? cell.compile(slot);
    return arguments.length === 1 ? call(a) : call(...arguments);
  } as (...args: unknown[]) => unknown;
}
function memoryResultUnary(cell: ExportCell, slot: number): (...args: unknown[]) => unknown {
  return function (this: unknown, a: unknown) {
    const call = cell.fns[slot] ?? cell.compile(slot);
    return arguments.length === 1 ? call(a) : call(...arguments);
  } as (...args: unknown[]) => unknown;
}

/**
 * A `[method]` on the class prototype `proto` (as property `key`): `this`
 * becomes the `self` argument of `cell.fns[slot]`, called directly (not
 * through `wrap`'s function, one call less per method call). Specialised
 * like `wrap`. A method taking only `self` starts as `selfMethodOnFirstCall`.
 */
function methodOf(cell: ExportCell, slot: number, arity: number, proto: object, key: string): (this: unknown, ...args: unknown[]) => unknown {
  switch (arity) {
    case 1:
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
    replaceFirst(proto, key, first, isDirectlyLifted(call) ? directSelfMethod(cell, slot) : selfMethod(cell, slot), false);
    return arguments.length === 0 ? call(this) : call(this, ...arguments);
  };
  return first;
}

// Two copies of one closure, on purpose, as in rdylib/call-plan.ts checkedUnary:
// the call site `call(this)` of each then sees one family of lifted functions
// (abi/lift.ts isDirectlyLifted), so V8 keeps inlining the callee. Unload's
// thrower in the slot is a rare path either way. The slot's function was made
// before either copy exists (selfMethodOnFirstCall), so it is read as it is,
// once, not in each arm: less bytecode for V8 to inline at the caller along
// with the slot's function (kv's len(); see call-plan.ts checkSingle).
function selfMethod(cell: ExportCell, slot: number): (this: unknown, ...args: unknown[]) => unknown {
  return function (this: unknown) {
    const call = cell.fns[slot]!;
    return arguments.length === 0 ? call(this) : call(this, ...arguments);
  };
}
function directSelfMethod(cell: ExportCell, slot: number): (this: unknown, ...args: unknown[]) => unknown {
  return function (this: unknown) {
    const call = cell.fns[slot]!;
    return arguments.length === 0 ? call(this) : call(this, ...arguments);
  };
}

/**
 * How a face is made from one instance's exports, worked out from their names
 * and kinds once per component (`planFor`): every load of a component exports
 * the same names, in the same order, with the same kinds, and working out each
 * name's JS key and role again (parsing it, camel- and PascalCase, the slot's
 * label) was most of a warm load's face. What depends on the instance (which
 * resource types a guest defines, so get a class) is still decided per face.
 */
interface FacePlan {
  /** The export names and kinds the plan was made for, in order: it serves only an instance with exactly these. */
  readonly names: readonly string[];
  readonly kinds: readonly RuntimeItem['kind'][];
  /** Top level (the world's exports): functions by their exact names too, and classes after them. */
  readonly world: boolean;
  /** Exported types, each a class (under `key`) when it is a resource a guest defined. */
  readonly types: readonly { readonly at: number; readonly name: string; readonly key: string }[];
  /** Functions and instances held under keys of their own, in order. */
  readonly members: readonly FaceMember[];
  /** `[constructor]`, `[method]` and `[static]` functions, in order. */
  readonly resourceFunctions: readonly ResourceFunction[];
}

/** A function or a nested instance of a face, at index `at` of the instance's items. */
type FaceMember = {
  readonly at: number;
  readonly name: string;
  /** The keys that hold it: the exact name, and the camelCase one where it differs. */
  readonly keys: readonly string[];
} & (
  | {
      readonly kind: 'func';
      /** The slot label (`slotLabel`), made once with the plan. */
      readonly item: string;
      /** The function's declared parameter count (`paramCount`), which its wrapper is specialised on. */
      readonly arity: number;
    }
  | {
      readonly kind: 'instance';
      /** The instance's path (its functions' slot labels, its own plan). */
      readonly path: string;
    }
);

interface ResourceFunction {
  readonly at: number;
  readonly name: string;
  readonly role: 'constructor' | 'method' | 'static';
  readonly resource: string;
  /** The method's or static's key on its class. */
  readonly key: string;
  /** The slot label (`slotLabel`), made once with the plan. */
  readonly item: string;
  /** The function's declared parameter count (`paramCount`), which its wrapper or method is specialised on. */
  readonly arity: number;
}

/** Per plan key (ExportContext), per instance path: the plans made so far. */
const plans = new WeakMap<object, Map<string, FacePlan>>();

function makePlan(inst: RuntimeInstance, path: string): FacePlan {
  const world = path === '';
  const names: string[] = [];
  const kinds: RuntimeItem['kind'][] = [];
  const types: { at: number; name: string; key: string }[] = [];
  const members: FaceMember[] = [];
  const resourceFunctions: ResourceFunction[] = [];
  let at = 0;
  for (const [name, item] of inst) {
    names.push(name);
    kinds.push(item.kind);
    if (item.kind === 'type') {
      types.push({ at, name, key: pascal(name) });
    } else if (item.kind === 'instance') {
      members.push({ kind: 'instance', at, name, keys: [name], path: world ? name : `${path}/${name}` });
    } else if (item.kind === 'func') {
      const p = parsedName(name);
      const label = slotLabel(path, name);
      const arity = paramCount(item.func);
      if (p.kind === 'label') {
        const key = camel(name);
        members.push({ kind: 'func', at, name, keys: !world ? [key] : key === name ? [name] : [name, key], item: label, arity });
      } else {
        // At the top level every function is also under its exact name.
        if (world) members.push({ kind: 'func', at, name, keys: [name], item: label, arity });
        if (p.kind !== 'interface') resourceFunctions.push({ at, name, role: p.kind, resource: p.resource, key: p.kind === 'constructor' ? '' : camel(p.name), item: label, arity });
      }
    }
    at++;
  }
  return { names, kinds, world, types, members, resourceFunctions };
}

/**
 * The plan for `inst` at `path` (made the first time, then the one kept for
 * this plan key, if it was made for the same names and kinds), and its items
 * in the plan's order.
 */
function planFor(inst: RuntimeInstance, cx: ExportContext, path: string): { plan: FacePlan; items: RuntimeItem[] } {
  let byPath = plans.get(cx.planKey);
  if (byPath === undefined) plans.set(cx.planKey, (byPath = new Map()));
  const kept = byPath.get(path);
  if (kept !== undefined) {
    const items = itemsIn(kept, inst);
    if (items !== undefined) return { plan: kept, items };
  }
  const plan = makePlan(inst, path);
  if (kept === undefined) byPath.set(path, plan);
  return { plan, items: [...inst.values()] };
}

/** `inst`'s items when it exports exactly the names and kinds `plan` was made for, else undefined. */
function itemsIn(plan: FacePlan, inst: RuntimeInstance): RuntimeItem[] | undefined {
  const names = plan.names;
  if (inst.size !== names.length) return undefined;
  // Names, then items, each from its own iterator: taking every `[name, item]` entry apart ran the
  // array iterator protocol on it (a face is mostly built by baseline-tier code, where each step is
  // a builtin call), most of a kept plan's check: kv's interface exports 34 items.
  let i = 0;
  for (const name of inst.keys()) if (name !== names[i++]) return undefined;
  const kinds = plan.kinds;
  const items = [...inst.values()];
  for (i = 0; i < items.length; i++) if (items[i]!.kind !== kinds[i]) return undefined;
  return items;
}

/** Builds the exports object of a whole instance. */
export function exportsToJs(exports: RuntimeInstance, cx: ExportContext): ExportObject {
  return faceOf(exports, cx, '');
}

/** The JS face of `inst` (the world's exports at path `''`, or an exported interface). */
function faceOf(inst: RuntimeInstance, cx: ExportContext, path: string): ExportObject {
  const { plan, items } = planFor(inst, cx, path);
  const out: ExportObject = {};
  // One class per exported resource type defined by a guest; the class becomes the type's JS binding,
  // so handles lifted anywhere come out as its instances.
  const classes = new Map<string, GuestClass>();
  for (const t of plan.types) {
    const cls = classFor((items[t.at] as Extract<RuntimeItem, { kind: 'type' }>).entry, t.key, cx);
    if (cls !== undefined) classes.set(t.name, cls);
  }
  if (!plan.world) addClasses(plan, classes, out);
  for (const m of plan.members) {
    // The plan was kept only for items of the same kinds (itemsIn), so the member's kind is its item's.
    const v =
      m.kind === 'func'
        ? wrap((items[m.at] as Extract<RuntimeItem, { kind: 'func' }>).func, cx, path, m.name, m.item, m.arity, { out, keys: m.keys })
        : faceOf((items[m.at] as Extract<RuntimeItem, { kind: 'instance' }>).instance, cx, m.path);
    for (const key of m.keys) out[key] = v;
  }
  if (plan.world) addClasses(plan, classes, out);
  attachResourceFunctions(plan, items, classes, out, cx, path);
  return out;
}

/** Puts each class made for the plan's types into `out`, under its PascalCase key. */
function addClasses(plan: FacePlan, classes: ReadonlyMap<string, GuestClass>, out: ExportObject): void {
  for (const t of plan.types) {
    const c = classes.get(t.name);
    if (c !== undefined) out[t.key] = c.cls;
  }
}

type ResourceClass = (new (...args: unknown[]) => object) & Record<string, unknown>;

/** A class `makeGuestClass` made for a resource type: what the face installs its functions with. */
interface GuestClass {
  readonly cls: ResourceClass;
  /** `cls.prototype` (makeGuestClass `proto`): methods go here. */
  readonly proto: object;
  readonly setConstructor: (f: (...args: unknown[]) => unknown) => void;
}

/**
 * The class of an exported type when it is a resource a guest defined (the
 * one made before for the same resource type, or a new one named
 * `className`, which becomes the type's JS binding), else undefined.
 */
function classFor(entry: TypeEntry, className: string, cx: ExportContext): GuestClass | undefined {
  if (entry.kind !== 'resource') return undefined;
  const rt = entry.ref;
  if (!definedByGuest(rt)) return undefined;
  const existing = classOf.get(rt);
  if (existing !== undefined) return existing;
  const made = makeGuestClass(className);
  const binding = new GuestClassBinding(rt, made.cls, cx.cell);
  made.setBinding(binding);
  cx.cell.addBinding(binding);
  rt.js = binding;
  const c: GuestClass = { cls: made.cls as unknown as ResourceClass, proto: made.proto, setConstructor: made.setConstructor };
  classOf.set(rt, c);
  return c;
}

/** The class made for each resource type (a type exported by several instances of a face gets one). */
const classOf = new WeakMap<ResourceTypeRef, GuestClass>();

/** Installs `[constructor]`, `[method]` and `[static]` functions on their classes. */
function attachResourceFunctions(
  plan: FacePlan,
  items: readonly RuntimeItem[],
  classes: ReadonlyMap<string, GuestClass>,
  out: ExportObject,
  cx: ExportContext,
  path: string,
): void {
  for (const r of plan.resourceFunctions) {
    const f = (items[r.at] as Extract<RuntimeItem, { kind: 'func' }>).func;
    const c = classes.get(r.resource);
    if (c === undefined) {
      // A resource function whose type is not exported here: still reachable by its full name.
      out[r.name] = wrap(f, cx, path, r.name, r.item, r.arity);
      continue;
    }
    switch (r.role) {
      case 'constructor':
        c.setConstructor(wrap(f, cx, path, r.name, r.item, r.arity));
        break;
      case 'method': {
        const key = r.key;
        Object.defineProperty(c.proto, key, {
          value: methodOf(cx.cell, register(f, cx, path, r.name, r.item), r.arity, c.proto, key),
          writable: true,
          configurable: true,
        });
        break;
      }
      case 'static':
        c.cls[r.key] = wrap(f, cx, path, r.name, r.item, r.arity);
        break;
    }
  }
}
