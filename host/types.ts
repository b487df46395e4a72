/**
 * Component-level value and function types after type indices are resolved:
 * the shape the Canonical ABI (host/abi) compiles lift and lower code from,
 * and the shape the rdylib checks (host/rdylib) compare plugins by.
 *
 * Names follow the Component Model spec (Explainer.md, CanonicalABI.md).
 * These are plain data: no runtime state lives here. Resource identity is the
 * one exception: `ResourceTypeRef` is compared by object identity, because two
 * resource types with the same name from different instances are different types.
 */

export type NumericType = 'bool' | 's8' | 'u8' | 's16' | 'u16' | 's32' | 'u32' | 's64' | 'u64' | 'f32' | 'f64' | 'char';

export type ValType =
  | { readonly kind: NumericType }
  | { readonly kind: 'string' }
  | { readonly kind: 'list'; readonly element: ValType }
  | { readonly kind: 'record'; readonly fields: readonly FieldType[] }
  | { readonly kind: 'tuple'; readonly types: readonly ValType[] }
  | { readonly kind: 'variant'; readonly cases: readonly CaseType[] }
  | { readonly kind: 'enum'; readonly labels: readonly string[] }
  | { readonly kind: 'option'; readonly type: ValType }
  | { readonly kind: 'result'; readonly ok: ValType | undefined; readonly err: ValType | undefined }
  | { readonly kind: 'flags'; readonly labels: readonly string[] }
  | { readonly kind: 'own'; readonly resource: ResourceTypeRef }
  | { readonly kind: 'borrow'; readonly resource: ResourceTypeRef }
  /** 🔀 `stream<T>` (`stream` without an element type: `element` undefined), passed as a handle to one end. */
  | StreamType
  /** 🔀 `future<T>` (`future`: `element` undefined), passed as a handle to one end. */
  | FutureType
  /** 📝 `error-context`, passed as a handle. */
  | { readonly kind: 'error-context' };

export interface StreamType {
  readonly kind: 'stream';
  readonly element: ValType | undefined;
}

export interface FutureType {
  readonly kind: 'future';
  readonly element: ValType | undefined;
}

/**
 * Whether a value type is a leaf: made of no other value type and naming no
 * resource (the numeric types, `string`, `enum`, `flags`, `error-context`).
 * Every walk over a type's members (sizes, depths, resources, handles,
 * visibility) ends at a leaf with a constant, so those walks answer a leaf
 * without looking it up in their per-type memo tables: in a cold load about
 * 40% of their lookups were leaves, each a fresh object. A kind not listed
 * here is walked.
 */
export function isLeafType(t: ValType): boolean {
  return LEAF_KINDS.has(t.kind);
}

const LEAF_KINDS: ReadonlySet<ValType['kind']> = new Set<ValType['kind']>([
  'bool', 's8', 'u8', 's16', 'u16', 's32', 'u32', 's64', 'u64', 'f32', 'f64', 'char', 'string', 'enum', 'flags', 'error-context',
]);

export interface FieldType {
  readonly name: string;
  readonly type: ValType;
}

export interface CaseType {
  readonly name: string;
  readonly type: ValType | undefined;
}

export interface ParamType {
  readonly name: string;
  readonly type: ValType;
}

/** A component function type: named parameters and at most one result. */
export interface FuncType {
  /** 🔀 `async func`: callers may be suspended while it runs (Explainer.md "Function types"). */
  readonly async: boolean;
  readonly params: readonly ParamType[];
  readonly result: ValType | undefined;
}

/**
 * A resource type's identity. The runtime gives each defined resource type
 * one object per component instance; imported resource types are the
 * supplier's object. `name` is for messages only.
 */
export interface ResourceTypeRef {
  readonly name: string;
}

export type ValTypeKind = ValType['kind'];
