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
import type { FuncType, ResourceTypeRef } from '../types.ts';
import { unversionedName } from '../validate/names.ts';
import { containsHandles, makeSubst, substFuncType, type ExternDesc, type InstanceType, type Subst, type TypeEntry } from '../validate/type-space.ts';
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
 * Runs `match`; an unlinkable LoadError it throws is added to `problems` (each
 * of its problems, when it already collects several) instead of
 * propagating, so every problem is found before any is reported.
 */
function collecting(problems: string[], match: Matcher, value: unknown, subst: Map<ResourceTypeRef, ResourceTypeRef>, funcSubst: Subst | undefined): RuntimeItem | undefined {
  try {
    return match(value, subst, funcSubst);
  } catch (e) {
    collected(problems, e);
    return undefined;
  }
}

/** Adds the problems of an unlinkable LoadError `e` to `problems`; rethrows anything else. */
function collected(problems: string[], e: unknown): void {
  if (!(e instanceof LoadError && e.kind === 'unlinkable')) throw e;
  problems.push(...(e as LinkProblems).problems ?? [e.message]);
}

/** A LoadError for several link problems; keeps them apart for an enclosing `collecting`. */
interface LinkProblems extends LoadError {
  problems?: readonly string[];
}

/** The failure of a load whose imports `names` are supplied by nobody (plugin.ts: a linked plugin unloaded meanwhile). */
export function missingImports(names: readonly string[]): never {
  unlinkableAll(names.map(missingImport));
}

function missingImport(name: string): string {
  return `missing import \`${name}\``;
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
 * How one import (or one member of an imported interface) is matched with the
 * value supplied for it, compiled once per component (`importPlanOf`): what
 * depends on the declared type alone (member order and kinds, paths, the JS
 * keys a member is found under, method names and arities, a resource's
 * method list, whether a function type names a resource) is decided then; a
 * matcher does only the per-load work: the checks of the value (in the same
 * order, with the same errors as ever), the host resource types (made fresh
 * at every load), the substitution of function types that name them, and
 * the functions wrapping the caller's values. `funcSubst`: for a function of
 * an interface, the substitution its functions share (made from `subst` once
 * the interface's resource types are in it).
 */
type Matcher = (value: unknown, subst: Map<ResourceTypeRef, ResourceTypeRef>, funcSubst: Subst | undefined) => RuntimeItem;

/** One import of a component, as `matchImports` takes it. */
interface ImportPlan {
  readonly name: string;
  readonly desc: ExternDesc;
  /** `carriesNothing(desc)`. */
  readonly nothing: boolean;
  readonly match: Matcher;
}

/**
 * Per import map (a validated component's `type.imports`: the compile cache
 * keeps them, so a warm load of the same bytes finds its plan), the plan of
 * each import in order. It holds only what the types say and functions of
 * them: nothing one load makes is kept, so two loads share no state through it.
 */
const importPlans = new WeakMap<ReadonlyMap<string, ExternDesc>, readonly ImportPlan[]>();

function importPlanOf(imports: ReadonlyMap<string, ExternDesc>): readonly ImportPlan[] {
  let plan = importPlans.get(imports);
  if (plan === undefined) {
    const plans: ImportPlan[] = [];
    for (const [name, desc] of imports) plans.push({ name, desc, nothing: carriesNothing(desc), match: matcherOf(name, desc, []) });
    importPlans.set(imports, (plan = plans));
  }
  return plan;
}

/**
 * Builds the runtime items for a component's imports: from the JS object
 * (keyed as `importKeys` finds them), else for an interface from `link`.
 * One substitution map is shared so a function import sees the host's
 * identity for a resource type imported before it.
 */
export function matchImports(imports: ReadonlyMap<string, ExternDesc>, jsImports: ImportObject, link?: LinkImport): Map<string, RuntimeItem> {
  // A component that imports nothing needs nothing of the caller (its loads skip the tables below).
  if (imports.size === 0) return new Map();
  const plan = importPlanOf(imports);
  const subst = new Map<ResourceTypeRef, ResourceTypeRef>();
  const out = new Map<string, RuntimeItem>();
  const problems: string[] = [];
  const keys = importKeys(imports.keys(), jsImports);
  for (let i = 0; i < plan.length; i++) {
    const { name, desc, nothing, match } = plan[i]!;
    const key = keys.get(name);
    if (key === undefined) {
      const linked = link !== undefined && desc.kind === 'instance' ? link(name, desc) : undefined;
      if (linked !== undefined) {
        out.set(name, linked);
        continue;
      }
    }
    if (key === undefined && !nothing) {
      problems.push(missingImport(name));
      continue;
    }
    // An import of types only needs nothing from the caller: it is built as if given an empty object.
    const value = key === undefined ? (desc.kind === 'instance' ? {} : undefined) : jsImports[key];
    const item = collecting(problems, match, value, subst, undefined);
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

/** Whether `ft` names a resource anywhere (its runtime type then differs per instance: substitution gives it back otherwise). */
export function mentionsResources(ft: FuncType): boolean {
  return ft.params.some((p) => containsHandles(p.type)) || (ft.result !== undefined && containsHandles(ft.result));
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
    const exports = exportsToBind(want.type);
    for (let i = 0; i < exports.length; i++) {
      const x = exports[i]!;
      const g = got.instance.get(x.name);
      if (g === undefined) throw new LoadError('unlinkable', `import \`${path}\` is missing export \`${x.name}\``);
      if (x.binds) bindImportResources(x.desc, g, subst, `${path}/${x.name}`);
    }
  }
}

/** One export of an imported instance type as `bindImportResources` walks it: `binds`, `bindsResources(desc)`. */
interface ExportToBind {
  readonly name: string;
  readonly desc: ExternDesc;
  readonly binds: boolean;
}

/**
 * Per instance type (a validated component's, which the compile cache keeps), its exports in order,
 * each with whether `bindImportResources` has anything to do for it: at every load each export is
 * only looked up, and only resources and instances are walked (an SDK plugin's inner components
 * import interfaces of tens of functions: iterating their Map with destructuring ran in baseline code).
 */
const exportsToBindOf = new WeakMap<InstanceType, readonly ExportToBind[]>();

function exportsToBind(t: InstanceType): readonly ExportToBind[] {
  let list = exportsToBindOf.get(t);
  if (list === undefined) {
    const made: ExportToBind[] = [];
    for (const [name, desc] of t.exports) made.push({ name, desc, binds: bindsResources(desc) });
    exportsToBindOf.set(t, (list = made));
  }
  return list;
}

// What unload lets go of and a load makes again (shape-anchors.ts): a host resource type's binding
// (its method list frozen, as the plans hand it over), and a function import's runtime function.
keepShape(new HostObjectBinding('shape anchor', Object.freeze([])));
keepShape({ type: undefined, call: undefined });

/** The matcher of an import (or interface member) at `path` declared as `desc`; `siblings`: the names its interface exports (empty at the top level): a resource's methods are among them. */
function matcherOf(path: string, desc: ExternDesc, siblings: readonly string[]): Matcher {
  switch (desc.kind) {
    case 'func': {
      const declared = desc.type;
      // A type naming no resource is the same at every load (substituting it gives it back).
      const perLoad = mentionsResources(declared);
      return (value, subst, funcSubst) => {
        const type = perLoad ? substFuncType(declared, funcSubst ?? subst) : declared;
        // Streams and futures reach a host function as ReadableStreams and Promises (async-calls.ts).
        return { kind: 'func', func: { type, call: hostImportCall(type, funcFromJs(path, value), path) } };
      };
    }
    case 'type': {
      const entry: TypeEntry = desc.type;
      if (entry.kind === 'resource') {
        const resource = path.split('/').pop() ?? path;
        // Shared by every load's binding, which only reads it.
        const methods = Object.freeze(methodsOf(resource, siblings));
        const ref = entry.ref;
        return (value, subst) => {
          // A class is needed only for a constructor or statics; objects passed to the plugin are checked by their methods.
          if (value !== undefined && typeof value !== 'function') unlinkable(`import \`${path}\` must be a class implementing the resource, or left out`);
          const rt = hostResourceType(resource, methods);
          subst.set(ref, rt);
          return { kind: 'type', entry: { kind: 'resource', ref: rt } };
        };
      }
      return () => ({ kind: 'type', entry });
    }
    case 'instance':
      return interfaceMatcher(path, desc.type.exports);
    default: {
      const kind = desc.kind;
      return () => unlinkable(`import \`${path}\`: importing a ${kind} from JavaScript is not supported`);
    }
  }
}

/** One member of an imported interface: where the JS object holds it, and its matcher. */
interface MemberPlan {
  readonly name: string;
  readonly find: (obj: Record<string, unknown>) => unknown;
  readonly match: Matcher;
  /** A function whose type names a resource: it takes the interface's shared substitution. */
  readonly substituted: boolean;
  /** Anything but a function or a type: it may add resource identities. */
  readonly other: boolean;
}

/** The matcher of an interface import: an object of camelCase functions and PascalCase resource classes. */
function interfaceMatcher(path: string, exports: ReadonlyMap<string, ExternDesc>): Matcher {
  const names = [...exports.keys()];
  const types: MemberPlan[] = [];
  const rest: MemberPlan[] = [];
  for (const [n, d] of exports) {
    const match = matcherOf(`${path}/${n}`, d, names);
    if (d.kind === 'type') {
      const p = pascal(n);
      types.push({ name: n, find: (obj) => lookup(obj, p, n), match, substituted: false, other: false });
    } else {
      const func = d.kind === 'func';
      rest.push({ name: n, find: finderOf(n, func ? d.type.params.length : undefined), match, substituted: func && mentionsResources(d.type), other: !func });
    }
  }
  return (value, subst) => {
    if (typeof value !== 'object' || value === null) unlinkable(`import \`${path}\` must be an object with the interface's functions`);
    const obj = value as Record<string, unknown>;
    const items = new Map<string, RuntimeItem>();
    const problems: string[] = [];
    // Resource types first, so functions that mention them get the host's identities.
    for (let i = 0; i < types.length; i++) addMember(items, problems, types[i]!, obj, subst, undefined);
    // Converting a function adds no resource identity, so one substitution serves the functions of the
    // interface (its memo substitutes a type they share, `borrow<canvas>`, once; from the bare map,
    // substFuncType made a substitution of two maps per function). Anything else may add identities:
    // the functions after it get a new one, so a memoised type never predates an identity.
    let funcSubst: Subst | undefined;
    for (let i = 0; i < rest.length; i++) {
      const m = rest[i]!;
      if (m.substituted) funcSubst ??= makeSubst(subst);
      addMember(items, problems, m, obj, subst, m.substituted ? funcSubst : undefined);
      if (m.other) funcSubst = undefined;
    }
    if (problems.length > 0) unlinkableAll(problems);
    return { kind: 'instance', instance: items };
  };
}

/** Finds and matches member `m` of `obj` into `items`; an unlinkable problem goes to `problems` (`collecting`). */
function addMember(
  items: Map<string, RuntimeItem>,
  problems: string[],
  m: MemberPlan,
  obj: Record<string, unknown>,
  subst: Map<ResourceTypeRef, ResourceTypeRef>,
  funcSubst: Subst | undefined,
): void {
  try {
    items.set(m.name, m.match(m.find(obj), subst, funcSubst));
  } catch (e) {
    collected(problems, e);
  }
}

/** `Function.prototype.call`, taken once: a method that has its own `call` property is still just called. */
const callFunction = Function.prototype.call;

/**
 * Where a function named `name` inside an interface is found in the JS object (made once per
 * component): the finder returns what the import is served by; `arity`: the function's parameter count.
 */
function finderOf(name: string, arity: number | undefined): (obj: Record<string, unknown>) => unknown {
  const p = parsedName(name);
  switch (p.kind) {
    case 'label': {
      const key = camel(p.label);
      const label = p.label;
      return (obj) => lookup(obj, key, label);
    }
    case 'interface': {
      const key = p.name;
      return (obj) => lookup(obj, key);
    }
    case 'constructor': {
      const cls = pascal(p.resource);
      const resource = p.resource;
      return (obj) => {
        const c = lookup(obj, cls, resource);
        return typeof c === 'function' ? (...a: unknown[]) => Reflect.construct(c, a) : undefined;
      };
    }
    case 'method': {
      const method = camel(p.name);
      const resource = p.resource;
      return () => methodCaller(method, resource, name, arity);
    }
    case 'static': {
      const cls = pascal(p.resource);
      const resource = p.resource;
      const key = camel(p.name);
      return (obj) => {
        const c = lookup(obj, cls, resource) as Record<string, unknown> | undefined;
        const f = c?.[key];
        return typeof f === 'function' ? (...a: unknown[]) => Reflect.apply(f, c, a) : undefined;
      };
    }
  }
}

/**
 * What the plugin calls for method `method` of a host resource (`name`, the import's name): the
 * method of the object it passes as `self`. Made at every load, as the general matching made it:
 * these closures are on every host callback's path, so they keep the shape they were measured with.
 */
function methodCaller(method: string, resource: string, name: string, arity: number | undefined): (...args: unknown[]) => unknown {
  const methodOf = (self: unknown): Function => {
    const m = (self as Record<string, unknown> | null)?.[method];
    // Checked when the object was passed in; this catches a method deleted since.
    if (typeof m !== 'function') assertHasMethods(Object(self) as object, resource, [method], name);
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
