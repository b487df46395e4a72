/**
 * Turns the JS imports object (keyed by import name, as jco takes it) into
 * runtime items of the types the component declares. Interface imports are
 * objects of camelCase functions plus PascalCase resource classes; resource
 * methods, constructors and statics are called on those classes.
 */
import { LoadError } from '../errors.ts';
import type { ResourceTypeRef } from '../types.ts';
import { substFuncType, type ExternDesc, type TypeEntry } from '../validate/type-space.ts';
import type { RuntimeItem } from './instantiate.ts';
import { hostResourceType } from './resource-bindings.ts';
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
 * Builds the runtime items for a component's imports from the JS object. One
 * substitution map is shared so a function import sees the host's identity
 * for a resource type imported before it.
 */
export function importsFromJs(imports: ReadonlyMap<string, ExternDesc>, jsImports: ImportObject): Map<string, RuntimeItem> {
  const subst = new Map<ResourceTypeRef, ResourceTypeRef>();
  const out = new Map<string, RuntimeItem>();
  for (const [name, desc] of imports) {
    if (!(name in jsImports)) unlinkable(`missing import \`${name}\``);
    out.set(name, convert(name, desc, jsImports[name], subst, undefined));
  }
  return out;
}

function convert(
  path: string,
  desc: ExternDesc,
  value: unknown,
  subst: Map<ResourceTypeRef, ResourceTypeRef>,
  owner: Record<string, unknown> | undefined,
): RuntimeItem {
  switch (desc.kind) {
    case 'func': {
      const fn = funcFromJs(path, value, owner);
      return { kind: 'func', func: { type: substFuncType(desc.type, subst), call: fn } };
    }
    case 'type': {
      const entry: TypeEntry = desc.type;
      if (entry.kind === 'resource') {
        if (value !== undefined && typeof value !== 'function') unlinkable(`import \`${path}\` must be a class implementing the resource`);
        const rt = hostResourceType(path.split('/').pop() ?? path, value as Function | undefined);
        subst.set(entry.ref, rt);
        return { kind: 'type', entry: { kind: 'resource', ref: rt } };
      }
      return { kind: 'type', entry };
    }
    case 'instance': {
      if (typeof value !== 'object' || value === null) unlinkable(`import \`${path}\` must be an object with the interface's functions`);
      const obj = value as Record<string, unknown>;
      const items = new Map<string, RuntimeItem>();
      // Resource types first, so functions that mention them get the host's identities.
      for (const [n, d] of desc.type.exports) {
        if (d.kind === 'type') items.set(n, convert(`${path}/${n}`, d, lookup(obj, pascal(n), n), subst, obj));
      }
      for (const [n, d] of desc.type.exports) {
        if (d.kind === 'type') continue;
        items.set(n, convert(`${path}/${n}`, d, memberFor(n, obj), subst, obj));
      }
      return { kind: 'instance', instance: items };
    }
    default:
      return unlinkable(`import \`${path}\`: importing a ${desc.kind} from JavaScript is not supported`);
  }
}

/** What a function name inside an interface refers to in the JS object. */
function memberFor(name: string, obj: Record<string, unknown>): unknown {
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
    case 'method':
      return (self: unknown, ...a: unknown[]) => {
        const m = (self as Record<string, unknown> | null)?.[camel(p.name)];
        if (typeof m !== 'function') throw new TypeError(`${name}: the ${p.resource} object has no method ${camel(p.name)}`);
        return Reflect.apply(m, self, a);
      };
    case 'static': {
      const cls = lookup(obj, pascal(p.resource), p.resource) as Record<string, unknown> | undefined;
      const f = cls?.[camel(p.name)];
      return typeof f === 'function' ? (...a: unknown[]) => Reflect.apply(f, cls, a) : undefined;
    }
  }
}

function funcFromJs(path: string, value: unknown, _owner: Record<string, unknown> | undefined): (...args: unknown[]) => unknown {
  if (typeof value !== 'function') unlinkable(`import \`${path}\` must be a function, got ${value === undefined ? 'nothing' : typeof value}`);
  return value as (...args: unknown[]) => unknown;
}
