/**
 * Turns a component instance's exports into the JS shape jco produces:
 * top-level functions as functions, exported instances (interfaces) as objects
 * of camelCase functions and PascalCase resource classes.
 */
import type { ResourceTypeRef } from '../types.ts';
import { ResourceType } from './component-instance.ts';
import type { RuntimeFunc, RuntimeInstance, RuntimeItem } from './instantiate.ts';
import { GuestClassBinding, makeGuestClass } from './resource-bindings.ts';
import { camel, parsedName, pascal } from './js-names.ts';

export type ExportObject = Record<string, unknown>;

/** The state the JS wrappers consult to refuse use after unload. */
export interface ExportContext {
  readonly isUnloaded: () => boolean;
  /** Called before each call into the guest; throws after unload. */
  readonly checkLoaded: () => void;
}

/**
 * The export as JS calls it: refuses use after unload, then calls the lifted
 * function. Specialised on the declared arity so a call with the right number
 * of arguments is a plain call (no rest array, no spread); any other count is
 * passed through unchanged so the lifted function reports it.
 */
function wrap(f: RuntimeFunc, cx: ExportContext): (...args: unknown[]) => unknown {
  const call = f.call;
  const checkLoaded = cx.checkLoaded;
  switch (f.type.params.length) {
    case 0:
      return function (this: unknown) {
        checkLoaded();
        return arguments.length === 0 ? call() : call(...arguments);
      };
    case 1:
      return function (this: unknown, a: unknown) {
        checkLoaded();
        return arguments.length === 1 ? call(a) : call(...arguments);
      } as (...args: unknown[]) => unknown;
    case 2:
      return function (this: unknown, a: unknown, b: unknown) {
        checkLoaded();
        return arguments.length === 2 ? call(a, b) : call(...arguments);
      } as (...args: unknown[]) => unknown;
    case 3:
      return function (this: unknown, a: unknown, b: unknown, c: unknown) {
        checkLoaded();
        return arguments.length === 3 ? call(a, b, c) : call(...arguments);
      } as (...args: unknown[]) => unknown;
    default:
      return (...args: unknown[]) => {
        checkLoaded();
        return call(...args);
      };
  }
}

/** A `[method]` on the class prototype: `this` becomes the `self` argument. Specialised like `wrap`. */
function methodOf(fn: (...args: unknown[]) => unknown, arity: number): (this: unknown, ...args: unknown[]) => unknown {
  switch (arity) {
    case 1:
      return function (this: unknown) {
        return arguments.length === 0 ? fn(this) : fn(this, ...arguments);
      };
    case 2:
      return function (this: unknown, a: unknown) {
        return arguments.length === 1 ? fn(this, a) : fn(this, ...arguments);
      } as (this: unknown, ...args: unknown[]) => unknown;
    case 3:
      return function (this: unknown, a: unknown, b: unknown) {
        return arguments.length === 2 ? fn(this, a, b) : fn(this, ...arguments);
      } as (this: unknown, ...args: unknown[]) => unknown;
    default:
      return function (this: unknown, ...args: unknown[]) {
        return fn(this, ...args);
      };
  }
}

/** Builds the exports object of a whole instance. */
export function exportsToJs(exports: RuntimeInstance, cx: ExportContext): ExportObject {
  const out: ExportObject = {};
  const classes = makeClasses(exports, cx);
  for (const [name, item] of exports) {
    const v = itemToJs(item, cx);
    if (v === undefined) continue;
    out[name] = v;
    const p = parsedName(name);
    if (p.kind === 'label' && item.kind === 'func' && camel(name) !== name) out[camel(name)] = v;
  }
  for (const [name, cls] of classes) out[pascal(name)] = cls;
  attachResourceFunctions(exports, classes, out, cx);
  return out;
}

function itemToJs(item: RuntimeItem, cx: ExportContext): unknown {
  switch (item.kind) {
    case 'func':
      return wrap(item.func, cx);
    case 'instance':
      return instanceToJs(item.instance, cx);
    default:
      return undefined;
  }
}

function instanceToJs(inst: RuntimeInstance, cx: ExportContext): ExportObject {
  const out: ExportObject = {};
  const classes = makeClasses(inst, cx);
  for (const [name, cls] of classes) out[pascal(name)] = cls;
  for (const [name, item] of inst) {
    if (item.kind === 'func' && parsedName(name).kind === 'label') out[camel(name)] = wrap(item.func, cx);
    else if (item.kind === 'instance') out[name] = instanceToJs(item.instance, cx);
  }
  attachResourceFunctions(inst, classes, out, cx);
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
    if (!(rt instanceof ResourceType) || rt.impl.name === 'host') continue;
    const existing = classOf.get(rt);
    if (existing !== undefined) {
      classes.set(name, existing);
      continue;
    }
    const className = pascal(name);
    const made = makeGuestClass(className);
    const cls = made.cls as unknown as ResourceClass;
    constructorSetters.set(cls, made.setConstructor);
    const binding = new GuestClassBinding(rt, made.cls, cx.isUnloaded);
    Object.defineProperty(cls.prototype, Symbol.dispose, {
      value(this: object) {
        binding.dispose(this);
      },
      writable: true,
      configurable: true,
    });
    rt.js = binding;
    classOf.set(rt, cls);
    classes.set(name, cls);
  }
  return classes;
}

const classOf = new WeakMap<ResourceTypeRef, ResourceClass>();
const constructorSetters = new WeakMap<ResourceClass, (f: (...args: unknown[]) => unknown) => void>();

/** Installs `[constructor]`, `[method]` and `[static]` functions on their classes. */
function attachResourceFunctions(inst: RuntimeInstance, classes: Map<string, ResourceClass>, out: ExportObject, cx: ExportContext): void {
  for (const [name, item] of inst) {
    if (item.kind !== 'func') continue;
    const p = parsedName(name);
    if (p.kind === 'label' || p.kind === 'interface') continue;
    const cls = classes.get(p.resource);
    const fn = wrap(item.func, cx);
    if (cls === undefined) {
      // A resource function whose type is not exported here: still reachable by its full name.
      out[name] = fn;
      continue;
    }
    switch (p.kind) {
      case 'constructor':
        constructorSetters.get(cls)?.(fn);
        break;
      case 'method':
        Object.defineProperty(cls.prototype, camel(p.name), {
          value: methodOf(fn, item.func.type.params.length),
          writable: true,
          configurable: true,
        });
        break;
      case 'static':
        cls[camel(p.name)] = fn;
        break;
    }
  }
}
