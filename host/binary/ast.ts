/**
 * The plain AST of a component binary (Binary.md). Indices are kept exactly as
 * written; nothing here is resolved or checked beyond well-formedness. Every
 * definition records the byte `offset` it starts at so later stages can point
 * at it in errors.
 */

export type CoreSort = 'func' | 'table' | 'memory' | 'global' | 'tag' | 'type' | 'module' | 'instance';

/** A component-level sort; core sorts are written `core <sort>` as in the text format. */
export type Sort = `core ${CoreSort}` | 'func' | 'value' | 'type' | 'component' | 'instance';

// ---------------------------------------------------------------- names

export interface NameAttributes {
  /** 🏷️ `(implements "i")` */
  readonly implements?: string;
  /** 🔗 `(versionsuffix "s")` */
  readonly versionSuffix?: string;
  /** 🏷️ `(external-id "n")` */
  readonly externalId?: string;
}

/** `nameattributes`: an extern name plus optional attributes. */
export interface ExternName {
  readonly name: string;
  readonly attributes: NameAttributes;
  readonly offset: number;
}

// ---------------------------------------------------------------- core types

export type CoreValType = 'i32' | 'i64' | 'f32' | 'f64' | 'v128' | CoreRefType;

export interface CoreRefType {
  readonly kind: 'ref';
  readonly nullable: boolean;
  /** An abstract heap type name (`func`, `extern`, ...) or a type index. */
  readonly heap: string | number;
}

export interface CoreLimits {
  readonly min: bigint;
  readonly max: bigint | undefined;
  readonly shared: boolean;
  readonly index64: boolean;
}

export type CoreExternType =
  | { readonly kind: 'func'; readonly typeIndex: number }
  | { readonly kind: 'table'; readonly element: CoreRefType; readonly limits: CoreLimits }
  | { readonly kind: 'memory'; readonly limits: CoreLimits }
  | { readonly kind: 'global'; readonly type: CoreValType; readonly mutable: boolean }
  | { readonly kind: 'tag'; readonly typeIndex: number };

export type CoreModuleDecl =
  | { readonly kind: 'import'; readonly module: string; readonly name: string; readonly type: CoreExternType }
  | { readonly kind: 'type'; readonly type: CoreDefType }
  | { readonly kind: 'alias'; readonly count: number; readonly index: number }
  | { readonly kind: 'export'; readonly name: string; readonly type: CoreExternType };

export type CoreDefType =
  | { readonly kind: 'func'; readonly params: readonly CoreValType[]; readonly results: readonly CoreValType[] }
  | { readonly kind: 'module'; readonly decls: readonly CoreModuleDecl[] };

// ---------------------------------------------------------------- component types

export type PrimValType =
  | 'bool' | 's8' | 'u8' | 's16' | 'u16' | 's32' | 'u32' | 's64' | 'u64' | 'f32' | 'f64' | 'char'
  | 'string'
  | 'error-context';

/** `valtype`: a primitive written inline or a type index. */
export type ValTypeRef =
  | { readonly kind: 'primitive'; readonly type: PrimValType }
  | { readonly kind: 'index'; readonly index: number };

export interface LabelledType {
  readonly name: string;
  readonly type: ValTypeRef;
}

export interface CaseDef {
  readonly name: string;
  readonly type: ValTypeRef | undefined;
}

export type DefValType =
  | { readonly kind: 'primitive'; readonly type: PrimValType }
  | { readonly kind: 'record'; readonly fields: readonly LabelledType[] }
  | { readonly kind: 'variant'; readonly cases: readonly CaseDef[] }
  | { readonly kind: 'list'; readonly element: ValTypeRef; readonly length: number | undefined }
  | { readonly kind: 'tuple'; readonly types: readonly ValTypeRef[] }
  | { readonly kind: 'flags'; readonly labels: readonly string[] }
  | { readonly kind: 'enum'; readonly labels: readonly string[] }
  | { readonly kind: 'option'; readonly type: ValTypeRef }
  | { readonly kind: 'result'; readonly ok: ValTypeRef | undefined; readonly err: ValTypeRef | undefined }
  | { readonly kind: 'own'; readonly index: number }
  | { readonly kind: 'borrow'; readonly index: number }
  | { readonly kind: 'stream'; readonly element: ValTypeRef | undefined }
  | { readonly kind: 'future'; readonly element: ValTypeRef | undefined }
  | { readonly kind: 'map'; readonly key: ValTypeRef; readonly value: ValTypeRef };

export interface FuncTypeDef {
  readonly kind: 'func';
  readonly async: boolean;
  readonly params: readonly LabelledType[];
  readonly result: ValTypeRef | undefined;
}

export interface ResourceTypeDef {
  readonly kind: 'resource';
  readonly rep: CoreValType;
  readonly dtor: number | undefined;
}

export type TypeBound = { readonly kind: 'eq'; readonly index: number } | { readonly kind: 'sub-resource' };

export type ExternType =
  | { readonly kind: 'module'; readonly typeIndex: number }
  | { readonly kind: 'func'; readonly typeIndex: number }
  | { readonly kind: 'value' }
  | { readonly kind: 'type'; readonly bound: TypeBound }
  | { readonly kind: 'component'; readonly typeIndex: number }
  | { readonly kind: 'instance'; readonly typeIndex: number };

export type InstanceDecl =
  | { readonly kind: 'core-type'; readonly type: CoreDefType; readonly offset: number }
  | { readonly kind: 'type'; readonly type: DefType; readonly offset: number }
  | { readonly kind: 'alias'; readonly alias: Alias; readonly offset: number }
  | { readonly kind: 'export'; readonly name: ExternName; readonly type: ExternType; readonly offset: number };

export type ComponentDecl =
  | InstanceDecl
  | { readonly kind: 'import'; readonly name: ExternName; readonly type: ExternType; readonly offset: number };

export interface ComponentTypeDef {
  readonly kind: 'component';
  readonly decls: readonly ComponentDecl[];
}

export interface InstanceTypeDef {
  readonly kind: 'instance';
  readonly decls: readonly InstanceDecl[];
}

export type DefType = DefValType | FuncTypeDef | ComponentTypeDef | InstanceTypeDef | ResourceTypeDef;

// ---------------------------------------------------------------- definitions

export type Alias =
  | { readonly kind: 'export'; readonly sort: Sort; readonly instance: number; readonly name: string }
  | { readonly kind: 'core-export'; readonly sort: Sort; readonly instance: number; readonly name: string }
  | { readonly kind: 'outer'; readonly sort: Sort; readonly count: number; readonly index: number };

export type CoreInstanceExpr =
  | {
      readonly kind: 'instantiate';
      readonly module: number;
      readonly args: readonly { readonly name: string; readonly instance: number }[];
    }
  | {
      readonly kind: 'exports';
      readonly exports: readonly { readonly name: string; readonly sort: CoreSort; readonly index: number }[];
    };

export interface SortIdx {
  readonly sort: Sort;
  readonly index: number;
}

export type InstanceExpr =
  | {
      readonly kind: 'instantiate';
      readonly component: number;
      readonly args: readonly { readonly name: string; readonly item: SortIdx }[];
    }
  | {
      readonly kind: 'exports';
      readonly exports: readonly { readonly name: ExternName; readonly item: SortIdx }[];
    };

export type CanonOpt =
  | { readonly kind: 'string-encoding'; readonly encoding: 'utf8' | 'utf16' | 'latin1+utf16' }
  | { readonly kind: 'memory'; readonly index: number }
  | { readonly kind: 'realloc'; readonly index: number }
  | { readonly kind: 'post-return'; readonly index: number }
  | { readonly kind: 'async' }
  | { readonly kind: 'callback'; readonly index: number }
  /** 🚝 `(core-type t)`: the core function type a GC lift/lower uses. */
  | { readonly kind: 'core-type'; readonly index: number }
  /** 🚝 `gc`: values lifted and lowered as GC references. */
  | { readonly kind: 'gc' };

export interface CanonOptEntry {
  readonly opt: CanonOpt;
  readonly offset: number;
}

export type Canon =
  | { readonly kind: 'lift'; readonly coreFunc: number; readonly options: readonly CanonOptEntry[]; readonly typeIndex: number }
  | { readonly kind: 'lower'; readonly func: number; readonly options: readonly CanonOptEntry[] }
  | { readonly kind: 'resource.new' | 'resource.drop' | 'resource.rep'; readonly typeIndex: number }
  | CanonBuiltin;

/**
 * The async (🔀), error-context (📝) and thread (🧵, 🧵②) built-ins of Binary.md's
 * `canon`, each with its immediates as written; `kind` is the built-in's name
 * in the text format. Every one defines a core function.
 */
export type CanonBuiltin =
  | { readonly kind: PlainBuiltinKind }
  | { readonly kind: 'task.return'; readonly result: ValTypeRef | undefined; readonly options: readonly CanonOptEntry[] }
  /** `slot` is the thread-local storage index `i`. */
  | { readonly kind: 'context.get' | 'context.set'; readonly type: CoreValType; readonly slot: number }
  | { readonly kind: 'subtask.cancel'; readonly async: boolean }
  | { readonly kind: StreamOrFuture<'new' | 'drop-readable' | 'drop-writable'>; readonly typeIndex: number }
  | { readonly kind: StreamOrFuture<'read' | 'write'>; readonly typeIndex: number; readonly options: readonly CanonOptEntry[] }
  | { readonly kind: StreamOrFuture<'cancel-read' | 'cancel-write'>; readonly typeIndex: number; readonly async: boolean }
  | { readonly kind: 'error-context.new' | 'error-context.debug-message'; readonly options: readonly CanonOptEntry[] }
  | { readonly kind: 'waitable-set.wait' | 'waitable-set.poll'; readonly cancellable: boolean; readonly memory: number }
  | { readonly kind: CancellableThreadBuiltinKind; readonly cancellable: boolean }
  | { readonly kind: 'thread.new-indirect'; readonly coreTypeIndex: number; readonly table: number }
  /** 🧵② shared-everything threads. */
  | { readonly kind: 'thread.spawn-ref'; readonly shared: boolean; readonly coreTypeIndex: number }
  | { readonly kind: 'thread.spawn-indirect'; readonly shared: boolean; readonly coreTypeIndex: number; readonly table: number }
  | { readonly kind: 'thread.available-parallelism'; readonly shared: boolean };

export type StreamOrFuture<Op extends string> = `stream.${Op}` | `future.${Op}`;

/** Built-ins without immediates. */
export type PlainBuiltinKind =
  | 'backpressure.inc'
  | 'backpressure.dec'
  | 'task.cancel'
  | 'subtask.drop'
  | 'waitable-set.new'
  | 'waitable-set.drop'
  | 'waitable.join'
  | 'error-context.drop'
  | 'thread.index'
  | 'thread.resume-later';

/** Thread built-ins whose only immediate is `cancellable?`. */
export type CancellableThreadBuiltinKind =
  | 'thread.yield'
  | 'thread.suspend'
  | 'thread.suspend-then-resume'
  | 'thread.yield-then-resume'
  | 'thread.suspend-then-promote'
  | 'thread.yield-then-promote';

export type CanonBuiltinKind = CanonBuiltin['kind'];

/** The output sort of each canon definition: lift makes a component func, everything else a core func. */
export function canonSort(c: Canon): Sort {
  return c.kind === 'lift' ? 'func' : 'core func';
}

export type Definition =
  | { readonly kind: 'core-module'; readonly bytes: Uint8Array; readonly offset: number }
  | { readonly kind: 'core-instance'; readonly expr: CoreInstanceExpr; readonly offset: number }
  | { readonly kind: 'core-type'; readonly type: CoreDefType; readonly offset: number }
  | { readonly kind: 'component'; readonly component: Component; readonly offset: number }
  | { readonly kind: 'instance'; readonly expr: InstanceExpr; readonly offset: number }
  | { readonly kind: 'alias'; readonly alias: Alias; readonly offset: number }
  | { readonly kind: 'type'; readonly type: DefType; readonly offset: number }
  | { readonly kind: 'canon'; readonly canon: Canon; readonly offset: number }
  | {
      readonly kind: 'start';
      readonly func: number;
      readonly args: readonly number[];
      readonly results: number;
      readonly offset: number;
    }
  | { readonly kind: 'import'; readonly name: ExternName; readonly type: ExternType; readonly offset: number }
  | {
      readonly kind: 'export';
      readonly name: ExternName;
      readonly item: SortIdx;
      readonly type: ExternType | undefined;
      readonly offset: number;
    }
  | { readonly kind: 'value'; readonly offset: number };

export interface CustomSection {
  readonly name: string;
  readonly data: Uint8Array;
  readonly offset: number;
}

/** The decoded `component-name` custom section; ignored when it does not parse. */
export interface NameSection {
  readonly componentName: string | undefined;
  readonly sortNames: readonly { readonly sort: Sort; readonly names: ReadonlyMap<number, string> }[];
}

export interface Component {
  /** The definitions of all sections, flattened in order (Binary.md `flatten`). */
  readonly definitions: readonly Definition[];
  readonly customSections: readonly CustomSection[];
  readonly names: NameSection | undefined;
  /** Byte offset of the preamble in the outermost binary. */
  readonly offset: number;
}
