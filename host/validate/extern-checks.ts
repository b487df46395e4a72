/**
 * Checks on imports, exports and instantiation arguments that need their
 * resolved types: annotated resource function names, name attributes and
 * argument type matching. (Which types an extern may mention: visibility.ts.)
 */
import type { ResourceTypeRef, ValType } from '../types.ts';
import type { ExternName } from '../binary/ast.ts';
import { invalid } from './failures.ts';
import { mentionsResources } from './resolve.ts';
import { parseExternName } from './names.ts';
import { checkModuleMatches } from './core-types.ts';
import { countWork } from './work.ts';
import { funcTypeEquals, valTypeEquals, type ComponentType, type ExternDesc } from './type-space.ts';

function isOwnOf(t: ValType | undefined, r: ResourceTypeRef): boolean {
  return t !== undefined && t.kind === 'own' && t.resource === r;
}

/**
 * `[constructor]`, `[method]` and `[static]` names: only on functions, naming a
 * resource of this scope, with the signature their annotation promises; and
 * the rules for the `implements` attribute.
 */
export function checkAnnotatedName(n: ExternName, d: ExternDesc, resourcesByName: ReadonlyMap<string, ResourceTypeRef>): void {
  const p = parseExternName(n.name);
  if (typeof p === 'string') return; // reported by checkExternName
  const impl = n.attributes.implements;
  if (impl !== undefined) {
    if (d.kind !== 'instance') invalid(`\`${n.name}\`: only instances can have an \`implements\` attribute`, n.offset);
    const ip = parseExternName(impl);
    if (typeof ip === 'string' || ip.kind !== 'interface') invalid(`\`${impl}\` in the implements attribute of \`${n.name}\` must be an interface name`, n.offset);
  }
  if (p.kind === 'label' || p.kind === 'interface') return;
  if (d.kind !== 'func') invalid(`\`${n.name}\` is not a func, but its name is annotated as one`, n.offset);
  const r = resourcesByName.get(p.resource);
  if (r === undefined) invalid(`\`${n.name}\`: ${p.kind} resource name \`${p.resource}\` is not known in this context`, n.offset);
  const ft = d.type;
  switch (p.kind) {
    case 'constructor': {
      // The spec is silent here; wasm-tools refuses async constructors, and so does this host (no false accepts).
      if (ft.async) invalid(`\`${n.name}\`: constructor function cannot be async`, n.offset);
      const res = ft.result;
      const ok = isOwnOf(res, r) || (res !== undefined && res.kind === 'result' && isOwnOf(res.ok, r));
      if (!ok) invalid(`\`${n.name}\`: function should return \`(own $T)\` or \`(result (own $T))\``, n.offset);
      break;
    }
    case 'method': {
      const first = ft.params[0];
      if (first === undefined) invalid(`\`${n.name}\`: method should have at least one argument`, n.offset);
      if (first.name !== 'self' || first.type.kind !== 'borrow' || first.type.resource !== r) {
        invalid(`\`${n.name}\`: method should take a first argument of \`(borrow $T)\` named \`self\``, n.offset);
      }
      break;
    }
    case 'static':
      break;
  }
}

/** The label → resource map of an import or export scope, extended as resource types are named. */
export function noteResourceName(n: ExternName, d: ExternDesc, resourcesByName: Map<string, ResourceTypeRef>): void {
  if (d.kind === 'type' && d.type.kind === 'resource') {
    const p = parseExternName(n.name);
    if (typeof p !== 'string' && p.kind === 'label') resourcesByName.set(p.label, d.type.ref);
  }
}

function sortName(d: ExternDesc): string {
  return d.kind === 'module' ? 'core module' : d.kind;
}

/**
 * Whether `got` can be supplied where `want` (after substituting earlier type
 * imports) is expected. Function and value types must be equal; resources must
 * be the same resource.
 */
export function checkMatches(got: ExternDesc, want: ExternDesc, path: string, offset: number): void {
  // One type object matches itself: shared types are not walked again.
  if (got === want) return;
  countWork();
  if (sortName(got) !== sortName(want)) invalid(`type mismatch in \`${path}\`: expected a ${sortName(want)}, found a ${sortName(got)}`, offset);
  if (want.kind === 'func' && got.kind === 'func') {
    if (!funcTypeEquals(got.type, want.type)) invalid(`type mismatch in \`${path}\`: function types differ`, offset);
  } else if (want.kind === 'type' && got.kind === 'type') {
    const w = want.type;
    const g = got.type;
    if (w.kind === 'resource') {
      if (g.kind !== 'resource') invalid(`type mismatch in \`${path}\`: expected a resource type`, offset);
      if (g.ref !== w.ref) invalid(`resource types are not the same in \`${path}\``, offset);
    } else if (w.kind === 'value') {
      if (g.kind !== 'value' || !valTypeEquals(g.type, w.type)) invalid(`type mismatch in \`${path}\`: value types differ`, offset);
    } else if (w.kind === 'func') {
      if (g.kind !== 'func' || !funcTypeEquals(g.type, w.type)) invalid(`type mismatch in \`${path}\`: function types differ`, offset);
    }
  } else if (want.kind === 'instance' && got.kind === 'instance') {
    for (const [n, w] of want.type.exports) {
      const g = got.type.exports.get(n);
      if (g === undefined) invalid(`type mismatch in \`${path}\`: missing export \`${n}\``, offset);
      checkMatches(g, w, `${path}/${n}`, offset);
    }
  } else if (want.kind === 'module' && got.kind === 'module') {
    checkModuleMatches(got.type, want.type, path, offset);
  } else if (want.kind === 'component' && got.kind === 'component') {
    checkComponentMatches(got.type, want.type, path, offset);
  }
}

/**
 * Component subtyping (Explainer.md "Subtyping"): the supplied component may
 * import no more than the expected type offers, each of its imports satisfied
 * by the expected one (contravariant), and must export at least what is
 * expected (covariant). Names and sorts are always compared. Types that
 * mention resources are compared by shape only: their identities are bound
 * per instantiation, which this check does not model, so it errs toward
 * accepting there rather than refuse a valid component.
 */
function checkComponentMatches(got: ComponentType, want: ComponentType, path: string, offset: number): void {
  for (const [n, g] of got.imports) {
    const w = want.imports.get(n);
    if (w === undefined) invalid(`type mismatch in \`${path}\`: the component imports \`${n}\`, which the expected component type does not offer`, offset);
    checkMatchesByShape(w, g, `${path} import ${n}`, offset);
  }
  for (const [n, w] of want.exports) {
    const g = got.exports.get(n);
    if (g === undefined) invalid(`type mismatch in \`${path}\`: missing export \`${n}\``, offset);
    checkMatchesByShape(g, w, `${path}/${n}`, offset);
  }
}

function checkMatchesByShape(got: ExternDesc, want: ExternDesc, path: string, offset: number): void {
  if (!mentionsResources(got) && !mentionsResources(want)) return checkMatches(got, want, path, offset);
  if (sortName(got) !== sortName(want)) invalid(`type mismatch in \`${path}\`: expected a ${sortName(want)}, found a ${sortName(got)}`, offset);
  if (want.kind === 'instance' && got.kind === 'instance') {
    for (const [n, w] of want.type.exports) {
      const g = got.type.exports.get(n);
      if (g === undefined) invalid(`type mismatch in \`${path}\`: missing export \`${n}\``, offset);
      checkMatchesByShape(g, w, `${path}/${n}`, offset);
    }
  } else if (want.kind === 'component' && got.kind === 'component') {
    checkComponentMatches(got.type, want.type, path, offset);
  }
}
