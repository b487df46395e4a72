/**
 * Matching a component's imports with what is supplied for them (wasmtime's
 * `matching.rs` plus the import half of its linker), in one place:
 *
 * - which key of the JS imports object serves each import (`importKeys`:
 *   the exact name, or an interface without its version, as jco takes it);
 * - converting JS values into runtime items of the declared types
 *   (interfaces as objects of camelCase functions and PascalCase resource
 *   classes; resource methods, constructors and statics called on those
 *   classes), with host-implemented resource types made for them;
 * - imports the JS object does not supply, served by another plugin through
 *   the `link` hook (host/rdylib/linking.ts checks such a link);
 * - resource substitution at instantiation (`bindImportResources`): the
 *   static resource identities an import declares, paired with the runtime
 *   ones supplied.
 *
 * Every missing or unusable import is named in one LoadError, before any of
 * the component's code runs.
 */
import { hostImportCall } from './async-calls.ts';
import { LoadError } from '../errors.ts';
import type { ResourceTypeRef } from '../types.ts';
import { unversionedName } from '../validate/names.ts';
import { makeSubst, substFuncType, type ExternDesc, type Subst, type TypeEntry } from '../validate/type-space.ts';
import type { RuntimeItem } from './instantiate.ts';
import { assertHasMethods, HostObjectBinding, hostResourceType } from './host-resources.ts';
import { keepShape } from '../shape-anchors.ts';
import { camel, parsedName, pascal } from './js-names.ts';

export type ImportObject = Record<string, unknown>;

function lookup(obj: Record<string, unknown>, ...keys: string[]): unknown {
  for (const k of keys) if (k in obj) return obj[k];
  return undefined;
}

function unlinkable(message: string): never {
  throw new LoadError('unlinkable', message);
}

/**
 * Runs `f`; an unlinkable LoadError it throws is added to `problems` (each
 * of its problems, when it already collects several) instead of
 * propagating, so every problem is found before any is reported.
 */
function collecting<T>(problems: string[], f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof LoadError && e.kind === 'unlinkable')) throw e;
    problems.push(...(e as LinkProblems).problems ?? [e.message]);
    return undefined;
  }
}

/** A LoadError for several link problems; keeps them apart for an enclosing `collecting`. */
interface LinkProblems extends LoadError {
  problems?: readonly string[];
}

function unlinkableAll(problems: readonly string[]): never {
  if (problems.length === 1) unlinkable(problems[0]!);
  const e: LinkProblems = new LoadError('unlinkable', `${problems.length} imports cannot be linked:\n  ${problems.join('\n  ')}`);
  e.problems = problems;
  throw e;
}

/**
 * The key of `jsImports` that supplies each of `importNames` (absent: not
 * supplied). The exact import name wins; otherwise an interface import
 * `ns:pkg/iface@1.2.3` is also found under `ns:pkg/iface`, the key jco's
 * bindings take. Throws an unlinkable LoadError when one unversioned key
 * would serve two imports (two versions of one interface, neither keyed
 * exactly), naming both.
 */
export function importKeys(importNames: Iterable<string>, jsImports: ImportObject): Map<string, string> {
  const keys = new Map<string, string>();
  const servedBy = new Map<string, string>();
  for (const name of importNames) {
    if (name in jsImports) {
      keys.set(name, name);
      continue;
    }
    const base = unversionedName(name);
    if (base === name || !(base in jsImports)) continue;
    const other = servedBy.get(base);
    if (other !== undefined) {
      unlinkable(`imports \`${other}\` and \`${name}\` would both be served by the unversioned key \`${base}\`; key them by their full names`);
    }
    servedBy.set(base, name);
    keys.set(name, base);
  }
  return keys;
}

/** Serves an interface import the JS object does not supply from another plugin: its runtime item, or undefined. */
export type LinkImport = (name: string, desc: ExternDesc) => RuntimeItem | undefined;

/**
 * Builds the runtime items for a component's imports: from the JS object
 * (keyed as `importKeys` finds them), else for an interface from `link`.
 * One substitution map is shared so a function import sees the host's
 * identity for a resource type imported before it.
 */
export function matchImports(imports: ReadonlyMap<string, ExternDesc>, jsImports: ImportObject, link?: LinkImport): Map<string, RuntimeItem> {
  // A component that imports nothing needs nothing of the caller (its loads skip the tables below).
  if (imports.size === 0) return new Map();
  const subst = new Map<ResourceTypeRef, ResourceTypeRef>();
  const out = new Map<string, RuntimeItem>();
  const problems: string[] = [];
  const keys = importKeys(imports.keys(), jsImports);
  for (const [name, desc] of imports) {
    const key = keys.get(name);
    if (key === undefined) {
      const linked = link !== undefined && desc.kind === 'instance' ? link(name, desc) : undefined;
      if (linked !== undefined) {
        out.set(name, linked);
        continue;
      }
    }
    if (key === undefined && !carriesNothing(desc)) {
      problems.push(`missing import \`${name}\``);
      continue;
    }
    // An import of types only needs nothing from the caller: it is built as if given an empty object.
    const value = key === undefined ? (desc.kind === 'instance' ? {} : undefined) : jsImports[key];
    const item = collecting(problems, () => convert(name, desc, value, subst, []));
    if (item !== undefined) out.set(name, item);
  }
  if (problems.length > 0) unlinkableAll(problems);
  return out;
}

/** Whether an import holds only types (or is an instance of nothing else): no value the caller must supply. */
function carriesNothing(desc: ExternDesc): boolean {
  if (desc.kind === 'type') return true;
  if (desc.kind === 'instance') return [...desc.type.exports.values()].every(carriesNothing);
  return false;
}

/** Whether `bindImportResources` does anything for an import declared as `desc` (it reads only resource types and instances). */
export function bindsResources(desc: ExternDesc): boolean {
  return desc.kind === 'instance' || (desc.kind === 'type' && desc.type.kind === 'resource');
}

/**
 * Pairs the static resources an import declares with the runtime ones supplied for it, checking
 * that what was supplied has the import's shape (a linked plugin's item, an inner component's argument).
 */
export function bindImportResources(want: ExternDesc, got: RuntimeItem, subst: Map<ResourceTypeRef, ResourceTypeRef>, path: string): void {
  if (want.kind === 'type' && want.type.kind === 'resource') {
    if (got.kind !== 'type' || got.entry.kind !== 'resource') throw new LoadError('unlinkable', `import \`${path}\` must be a resource type`);
    subst.set(want.type.ref, got.entry.ref);
  } else if (want.kind === 'instance') {
    if (got.kind !== 'instance') throw new LoadError('unlinkable', `import \`${path}\` must be an instance`);
    for (const [n, w] of want.type.exports) {
      const g = got.instance.get(n);
      if (g === undefined) throw new LoadError('unlinkable', `import \`${path}\` is missing export \`${n}\``);
      bindImportResources(w, g, subst, `${path}/${n}`);
    }
  }
}

// What unload lets go of and a load makes again (shape-anchors.ts): a host resource type's binding,
// and a function import's runtime function.
keepShape(new HostObjectBinding('shape anchor', []));
keepShape({ type: undefined, call: undefined });

function convert(
  path: string,
  desc: ExternDesc,
  value: unknown,
  subst: Map<ResourceTypeRef, ResourceTypeRef>,
  /** The names the enclosing interface exports (empty at the top level): a resource's methods are among them. */
  siblings: readonly string[],
  /** For a function of an interface: the substitution its functions share, made from `subst` once the interface's resource types are in it. */
  funcSubst?: Subst,
): RuntimeItem {
  switch (desc.kind) {
    case 'func': {
      const type = substFuncType(desc.type, funcSubst ?? subst);
      // Streams and futures reach a host function as ReadableStreams and Promises (async-calls.ts).
      return { kind: 'func', func: { type, call: hostImportCall(type, funcFromJs(path, value), path) } };
    }
    case 'type': {
      const entry: TypeEntry = desc.type;
      if (entry.kind === 'resource') {
        // A class is needed only for a constructor or statics; objects passed to the plugin are checked by their methods.
        if (value !== undefined && typeof value !== 'function') unlinkable(`import \`${path}\` must be a class implementing the resource, or left out`);
        const resource = path.split('/').pop() ?? path;
        const rt = hostResourceType(resource, methodsOf(resource, siblings));
        subst.set(entry.ref, rt);
        return { kind: 'type', entry: { kind: 'resource', ref: rt } };
      }
      return { kind: 'type', entry };
    }
    case 'instance': {
      if (typeof value !== 'object' || value === null) unlinkable(`import \`${path}\` must be an object with the interface's functions`);
      const obj = value as Record<string, unknown>;
      const names = [...desc.type.exports.keys()];
      const items = new Map<string, RuntimeItem>();
      const problems: string[] = [];
      const add = (n: string, f: () => RuntimeItem): void => {
        const item = collecting(problems, f);
        if (item !== undefined) items.set(n, item);
      };
      // Resource types first, so functions that mention them get the host's identities.
      for (const [n, d] of desc.type.exports) {
        if (d.kind === 'type') add(n, () => convert(`${path}/${n}`, d, lookup(obj, pascal(n), n), subst, names));
      }
      // Converting a function adds no resource identity, so one substitution serves the functions of the
      // interface (its memo substitutes a type they share, `borrow<canvas>`, once; from the bare map,
      // substFuncType made a substitution of two maps per function). Anything else may add identities:
      // the functions after it get a new one, so a memoised type never predates an identity.
      let funcSubst: Subst | undefined;
      for (const [n, d] of desc.type.exports) {
        if (d.kind === 'type') continue;
        if (d.kind === 'func') {
          const s = (funcSubst ??= makeSubst(subst));
          add(n, () => convert(`${path}/${n}`, d, memberFor(n, obj, d.type.params.length), subst, names, s));
        } else {
          add(n, () => convert(`${path}/${n}`, d, memberFor(n, obj, undefined), subst, names));
          funcSubst = undefined;
        }
      }
      if (problems.length > 0) unlinkableAll(problems);
      return { kind: 'instance', instance: items };
    }
    default:
      return unlinkable(`import \`${path}\`: importing a ${desc.kind} from JavaScript is not supported`);
  }
}

/** `Function.prototype.call`, taken once: a method that has its own `call` property is still just called. */
const callFunction = Function.prototype.call;

/** What a function name inside an interface refers to in the JS object; `arity`: the function's parameter count. */
function memberFor(name: string, obj: Record<string, unknown>, arity: number | undefined): unknown {
  const p = parsedName(name);
  switch (p.kind) {
    case 'label':
      return lookup(obj, camel(p.label), p.label);
    case 'interface':
      return lookup(obj, p.name);
    case 'constructor': {
      const cls = lookup(obj, pascal(p.resource), p.resource);
      return typeof cls === 'function' ? (...a: unknown[]) => Reflect.construct(cls, a) : undefined;
    }
    case 'method': {
      const method = camel(p.name);
      const methodOf = (self: unknown): Function => {
        const m = (self as Record<string, unknown> | null)?.[method];
        // Checked when the object was passed in; this catches a method deleted since.
        if (typeof m !== 'function') assertHasMethods(Object(self) as object, p.resource, [method], name);
        return m as Function;
      };
      // By arity (`self` included), so a call from a plugin makes no rest array (a host trait object's method is called per callback).
      switch (arity) {
        case 1:
          return (self: unknown) => callFunction.call(methodOf(self), self);
        case 2:
          return (self: unknown, a: unknown) => callFunction.call(methodOf(self), self, a);
        case 3:
          return (self: unknown, a: unknown, b: unknown) => callFunction.call(methodOf(self), self, a, b);
        default:
          return (self: unknown, ...a: unknown[]) => Reflect.apply(methodOf(self), self, a);
      }
    }
    case 'static': {
      const cls = lookup(obj, pascal(p.resource), p.resource) as Record<string, unknown> | undefined;
      const f = cls?.[camel(p.name)];
      return typeof f === 'function' ? (...a: unknown[]) => Reflect.apply(f, cls, a) : undefined;
    }
  }
}

/** The JS names of `resource`'s methods among an interface's export names (`[method]canvas.line-to` -> `lineTo`). */
function methodsOf(resource: string, names: readonly string[]): string[] {
  const methods: string[] = [];
  for (const n of names) {
    const p = parsedName(n);
    if (p.kind === 'method' && p.resource === resource) methods.push(camel(p.name));
  }
  return methods;
}

function funcFromJs(path: string, value: unknown): (...args: unknown[]) => unknown {
  if (typeof value !== 'function') unlinkable(`import \`${path}\` must be a function, got ${value === undefined ? 'nothing' : typeof value}`);
  return value as (...args: unknown[]) => unknown;
}
