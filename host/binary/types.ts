/**
 * Readers for the type productions of Binary.md: core types (function and
 * module types), component defined types, externtypes and declarators.
 */
import { LoadError } from '../errors.ts';
import type {
  Alias,
  CaseDef,
  ComponentDecl,
  CoreDefType,
  CoreExternType,
  CoreLimits,
  CoreModuleDecl,
  CoreRefType,
  CoreSort,
  CoreValType,
  DefType,
  DefValType,
  ExternName,
  ExternType,
  InstanceDecl,
  LabelledType,
  NameAttributes,
  PrimValType,
  Sort,
  ValTypeRef,
} from './ast.ts';
import { leadingByteError, type Reader } from './reader.ts';

/** Component and instance types nest; a bound keeps a hostile binary from exhausting the stack. */
export const MAX_NESTING = 100;

export function checkDepth(r: Reader, depth: number): void {
  if (depth > MAX_NESTING) {
    throw new LoadError('unsupported', `component or type nesting deeper than ${MAX_NESTING} levels`, r.offset);
  }
}

// ---------------------------------------------------------------- sorts

const CORE_SORTS: ReadonlyMap<number, CoreSort> = new Map([
  [0x00, 'func'],
  [0x01, 'table'],
  [0x02, 'memory'],
  [0x03, 'global'],
  [0x04, 'tag'],
  [0x10, 'type'],
  [0x11, 'module'],
  [0x12, 'instance'],
]);

export function readCoreSort(r: Reader, what = 'core sort'): CoreSort {
  const at = r.offset;
  const b = r.byte(what);
  const s = CORE_SORTS.get(b);
  return s ?? leadingByteError(r, b, what, at);
}

export function readSort(r: Reader, what = 'component sort'): Sort {
  const at = r.offset;
  const b = r.byte(what);
  switch (b) {
    case 0x00:
      return `core ${readCoreSort(r, what)}`;
    case 0x01:
      return 'func';
    case 0x02:
      return 'value';
    case 0x03:
      return 'type';
    case 0x04:
      return 'component';
    case 0x05:
      return 'instance';
    default:
      return leadingByteError(r, b, what, at);
  }
}

// ---------------------------------------------------------------- names

export function readExternName(r: Reader, what: string): ExternName {
  const offset = r.offset;
  const b = r.byte(`${what} name`);
  if (b === 0x00 || b === 0x01) {
    return { name: r.name(what), attributes: {}, offset };
  }
  if (b !== 0x02) return leadingByteError(r, b, 'component name', offset);
  const name = r.name(what);
  const attributes: { -readonly [K in keyof NameAttributes]: NameAttributes[K] } = {};
  const n = r.count(`${what} attributes`);
  for (let i = 0; i < n; i++) {
    const at = r.offset;
    const kind = r.byte('name attribute');
    // Binary.md makes a repeated attribute kind a validation rule, hence 'invalid' rather than 'malformed'.
    const dup = (k: keyof NameAttributes): void => {
      if (attributes[k] !== undefined) throw new LoadError('invalid', `duplicate '${k}' option in name ${JSON.stringify(name)}`, at);
    };
    switch (kind) {
      case 0x00:
        dup('implements');
        attributes.implements = r.name('implements attribute');
        break;
      case 0x01:
        dup('versionSuffix');
        attributes.versionSuffix = r.name('versionsuffix attribute');
        break;
      case 0x02:
        dup('externalId');
        attributes.externalId = r.name('external-id attribute');
        break;
      default:
        leadingByteError(r, kind, 'name option', at);
    }
  }
  return { name, attributes, offset };
}

// ---------------------------------------------------------------- core types

const ABSTRACT_HEAP: ReadonlyMap<number, string> = new Map([
  [0x70, 'func'],
  [0x6f, 'extern'],
  [0x6e, 'any'],
  [0x71, 'none'],
  [0x72, 'noextern'],
  [0x73, 'nofunc'],
  [0x6d, 'eq'],
  [0x6b, 'struct'],
  [0x6a, 'array'],
  [0x6c, 'i31'],
  [0x69, 'exn'],
  [0x74, 'noexn'],
]);

function readHeapType(r: Reader): string | number {
  const at = r.offset;
  const b = r.peek('core heap type');
  const abs = ABSTRACT_HEAP.get(b);
  if (abs !== undefined) {
    r.byte('core heap type');
    return abs;
  }
  const v = r.s33('core heap type');
  if (v < 0) return leadingByteError(r, b, 'core heap type', at);
  return v;
}

export function readCoreValType(r: Reader): CoreValType {
  const at = r.offset;
  const b = r.byte('core value type');
  switch (b) {
    case 0x7f:
      return 'i32';
    case 0x7e:
      return 'i64';
    case 0x7d:
      return 'f32';
    case 0x7c:
      return 'f64';
    case 0x7b:
      return 'v128';
    case 0x64:
      return { kind: 'ref', nullable: false, heap: readHeapType(r) };
    case 0x63:
      return { kind: 'ref', nullable: true, heap: readHeapType(r) };
    default: {
      const heap = ABSTRACT_HEAP.get(b);
      if (heap !== undefined) return { kind: 'ref', nullable: true, heap };
      return leadingByteError(r, b, 'core value type', at);
    }
  }
}

function readCoreRefType(r: Reader): CoreRefType {
  const at = r.offset;
  const t = readCoreValType(r);
  if (typeof t === 'string') r.fail(`expected a core reference type, found ${t}`, at);
  return t;
}

export function readLimits(r: Reader): CoreLimits {
  const at = r.offset;
  const flags = r.byte('limits flags');
  if (flags > 0x07) leadingByteError(r, flags, 'limits', at);
  const index64 = (flags & 0x04) !== 0;
  const read = (): bigint => (index64 ? r.u64('limit') : BigInt(r.u32('limit')));
  const min = read();
  const max = (flags & 0x01) !== 0 ? read() : undefined;
  return { min, max, shared: (flags & 0x02) !== 0, index64 };
}

export function readCoreExternType(r: Reader): CoreExternType {
  const at = r.offset;
  const b = r.byte('core extern type');
  switch (b) {
    case 0x00:
      return { kind: 'func', typeIndex: r.u32('core function type index') };
    case 0x01: {
      const element = readCoreRefType(r);
      return { kind: 'table', element, limits: readLimits(r) };
    }
    case 0x02:
      return { kind: 'memory', limits: readLimits(r) };
    case 0x03: {
      const type = readCoreValType(r);
      return { kind: 'global', type, mutable: r.bool('global mutability') };
    }
    case 0x04:
      r.expectByte(0x00, 'tag attribute');
      return { kind: 'tag', typeIndex: r.u32('tag type index') };
    default:
      return leadingByteError(r, b, 'core extern type', at);
  }
}

/**
 * A core type definition. At component level a bare 0x50 is a module type and
 * a non-final `sub` takes a 0x00 prefix; inside a module type (`in: 'module
 * type'`), where module types cannot occur, 0x50 is the core `sub` as in core wasm.
 */
export function readCoreDefType(r: Reader, depth: number, where: 'component' | 'module type' = 'component'): CoreDefType {
  const at = r.offset;
  const b = r.byte('core type');
  if (b === 0x50 && where === 'module type') return readSubType(r, at, 'module type');
  switch (b) {
    case 0x65:
      throw new LoadError('unsupported', 'shared core types (shared-everything-threads) are not supported by this host', at);
    case 0x60: {
      const params = r.vec('core function parameters', readCoreValType);
      const results = r.vec('core function results', readCoreValType);
      return { kind: 'func', params, results };
    }
    case 0x50: {
      checkDepth(r, depth);
      const decls = r.vec('module type declarations', (rr) => readCoreModuleDecl(rr, depth + 1));
      return { kind: 'module', decls };
    }
    case 0x00:
      // In a component, a non-final `sub` takes a 0x00 prefix because a bare 0x50 is a module type.
      r.expectByte(0x50, 'core subtype');
      return readSubType(r, at);
    case 0x4f:
      return readSubType(r, at);
    case 0x4e:
    case 0x5e:
    case 0x5f:
      throw new LoadError('unsupported', `GC core types (rec, struct, array; opcode 0x${b.toString(16)}) are not supported`, at);
    default:
      return leadingByteError(r, b, 'core type', at);
  }
}

/**
 * `core:subtype` (GC proposal): a function type with no supertypes is read as
 * that function type; declared supertypes, structs and arrays need GC.
 */
function readSubType(r: Reader, at: number, where: 'component' | 'module type' = 'component'): CoreDefType {
  const supers = r.vec('core subtype supertypes', (rr) => rr.u32('core supertype index'));
  if (supers.length > 0) throw new LoadError('unsupported', 'GC core subtypes with supertypes are not supported', at);
  const cat = r.offset;
  const c = r.byte('core composite type');
  if (c === 0x60) {
    const params = r.vec('core function parameters', readCoreValType);
    const results = r.vec('core function results', readCoreValType);
    return { kind: 'func', params, results };
  }
  if (c === 0x5e || c === 0x5f) throw new LoadError('unsupported', `GC core types (struct, array; opcode 0x${c.toString(16)}) are not supported`, cat);
  // Inside a module type, 0x50 can only be a `sub`; what follows not being one is a module type nested where none may be.
  if (where === 'module type') throw new LoadError('invalid', `invalid leading byte (0x${c.toString(16)}) for core composite type: a module type cannot be declared inside a module type`, cat);
  return leadingByteError(r, c, 'core composite type', cat);
}

function readCoreModuleDecl(r: Reader, depth: number): CoreModuleDecl {
  const at = r.offset;
  const b = r.byte('module type declaration');
  switch (b) {
    case 0x00: {
      const module = r.name('core import module name');
      const name = r.name('core import name');
      return { kind: 'import', module, name, type: readCoreExternType(r) };
    }
    case 0x01:
      return { kind: 'type', type: readCoreDefType(r, depth, 'module type') };
    case 0x02: {
      const sortAt = r.offset;
      const sort = r.byte('core alias sort');
      if (sort !== 0x10) leadingByteError(r, sort, 'core alias sort', sortAt);
      const kindAt = r.offset;
      const kind = r.byte('core alias kind');
      if (kind !== 0x01) leadingByteError(r, kind, 'core alias kind', kindAt);
      return { kind: 'alias', count: r.u32('outer alias count'), index: r.u32('outer alias index') };
    }
    case 0x03: {
      const name = r.name('core export name');
      return { kind: 'export', name, type: readCoreExternType(r) };
    }
    default:
      return leadingByteError(r, b, 'module type declaration', at);
  }
}

// ---------------------------------------------------------------- component types

const PRIMITIVES: ReadonlyMap<number, PrimValType> = new Map([
  [0x7f, 'bool'],
  [0x7e, 's8'],
  [0x7d, 'u8'],
  [0x7c, 's16'],
  [0x7b, 'u16'],
  [0x7a, 's32'],
  [0x79, 'u32'],
  [0x78, 's64'],
  [0x77, 'u64'],
  [0x76, 'f32'],
  [0x75, 'f64'],
  [0x74, 'char'],
  [0x73, 'string'],
  [0x64, 'error-context'],
]);

export function readValType(r: Reader): ValTypeRef {
  const at = r.offset;
  const b = r.peek('component value type');
  const prim = PRIMITIVES.get(b);
  if (prim !== undefined) {
    r.byte('component value type');
    return { kind: 'primitive', type: prim };
  }
  const v = r.s33('component value type');
  if (v < 0) return leadingByteError(r, b, 'component value type', at);
  return { kind: 'index', index: v };
}

function readLabel(r: Reader, what: string): string {
  return r.name(what);
}

function readLabelled(r: Reader, what: string): LabelledType {
  const name = readLabel(r, what);
  return { name, type: readValType(r) };
}

// Module-level item readers for `Reader.vec`, not arrows made per call: an arrow made per call loses
// its optimised code with the closure at each full GC (V8 holds it weakly), so V8 optimised these
// again at every cold load.
function readRecordField(r: Reader): LabelledType {
  return readLabelled(r, 'record field label');
}

function readParam(r: Reader): LabelledType {
  return readLabelled(r, 'parameter name');
}

function readFlagLabel(r: Reader): string {
  return readLabel(r, 'flag label');
}

function readEnumLabel(r: Reader): string {
  return readLabel(r, 'enum label');
}

function readCase(r: Reader): CaseDef {
  const name = readLabel(r, 'variant case label');
  const type = r.optional('variant case type', readValType);
  r.expectByte(0x00, 'zero byte required');
  return { name, type };
}

/**
 * `defvaltype`, given the already-consumed leading byte `b` at offset `at`.
 * Emptiness and the 32-flag limit are validation rules (validate/resolve.ts).
 */
function readDefValType(r: Reader, b: number, at: number): DefValType {
  const prim = PRIMITIVES.get(b);
  if (prim !== undefined) return { kind: 'primitive', type: prim };
  switch (b) {
    case 0x72:
      return {
        kind: 'record',
        fields: r.vec('record fields', readRecordField),
      };
    case 0x71:
      return { kind: 'variant', cases: r.vec('variant cases', readCase) };
    case 0x70:
      return { kind: 'list', element: readValType(r), length: undefined };
    case 0x67: {
      const element = readValType(r);
      return { kind: 'list', element, length: r.u32('fixed list length') };
    }
    case 0x6f:
      return { kind: 'tuple', types: r.vec('tuple types', readValType) };
    case 0x6e:
      return { kind: 'flags', labels: r.vec('flags labels', readFlagLabel) };
    case 0x6d:
      return { kind: 'enum', labels: r.vec('enum labels', readEnumLabel) };
    case 0x6b:
      return { kind: 'option', type: readValType(r) };
    case 0x6a: {
      const ok = r.optional('result ok type', readValType);
      const err = r.optional('result error type', readValType);
      return { kind: 'result', ok, err };
    }
    case 0x69:
      return { kind: 'own', index: r.u32('own type index') };
    case 0x68:
      return { kind: 'borrow', index: r.u32('borrow type index') };
    case 0x66:
      return { kind: 'stream', element: r.optional('stream element type', readValType) };
    case 0x65:
      return { kind: 'future', element: r.optional('future element type', readValType) };
    case 0x63: {
      const key = readValType(r);
      return { kind: 'map', key, value: readValType(r) };
    }
    default:
      return leadingByteError(r, b, 'component defined type', at);
  }
}

/** `resultlist`: a function's (or `task.return`'s) optional result type. */
export function readResultList(r: Reader): ValTypeRef | undefined {
  const at = r.offset;
  const b = r.byte('component function results');
  if (b === 0x00) return readValType(r);
  if (b === 0x01) {
    r.expectByte(0x00, 'component function results');
    return undefined;
  }
  return leadingByteError(r, b, 'component function results', at);
}

export function readDefType(r: Reader, depth: number): DefType {
  const at = r.offset;
  const b = r.byte('component type');
  switch (b) {
    case 0x40:
    case 0x43: {
      const params = r.vec('function parameters', readParam);
      return { kind: 'func', async: b === 0x43, params, result: readResultList(r) };
    }
    case 0x41:
      checkDepth(r, depth);
      return { kind: 'component', decls: r.vec('component type declarations', (rr) => readComponentDecl(rr, depth + 1)) };
    case 0x42:
      checkDepth(r, depth);
      return { kind: 'instance', decls: r.vec('instance type declarations', (rr) => readInstanceDecl(rr, depth + 1)) };
    case 0x3f: {
      const repAt = r.offset;
      const rep = readCoreValType(r);
      // 🚀 (cm64) allows i64; validation refuses what this host cannot represent.
      if (rep !== 'i32' && rep !== 'i64') r.fail('resource representation type must be i32 (or i64 with 64-bit component memories)', repAt);
      return { kind: 'resource', rep, dtor: r.optional('resource destructor', (rr) => rr.u32('destructor function index')) };
    }
    default:
      return readDefValType(r, b, at);
  }
}

function readTypeBound(r: Reader): ExternType {
  const at = r.offset;
  const b = r.byte('type bound');
  if (b === 0x00) return { kind: 'type', bound: { kind: 'eq', index: r.u32('type bound index') } };
  if (b === 0x01) return { kind: 'type', bound: { kind: 'sub-resource' } };
  return leadingByteError(r, b, 'type bound', at);
}

export function readExternType(r: Reader): ExternType {
  const at = r.offset;
  const b = r.byte('component external kind');
  switch (b) {
    case 0x00:
      r.expectByte(0x11, 'core module external kind');
      return { kind: 'module', typeIndex: r.u32('core module type index') };
    case 0x01:
      return { kind: 'func', typeIndex: r.u32('function type index') };
    case 0x02:
      // 🪙 `(value t)`: the value's type follows directly.
      readValType(r);
      return { kind: 'value' };
    case 0x03:
      return readTypeBound(r);
    case 0x04:
      return { kind: 'component', typeIndex: r.u32('component type index') };
    case 0x05:
      return { kind: 'instance', typeIndex: r.u32('instance type index') };
    default:
      return leadingByteError(r, b, 'component external kind', at);
  }
}

function readInstanceDecl(r: Reader, depth: number): InstanceDecl {
  const offset = r.offset;
  const b = r.byte('component or instance type declaration');
  switch (b) {
    case 0x00:
      return { kind: 'core-type', type: readCoreDefType(r, depth), offset };
    case 0x01:
      return { kind: 'type', type: readDefType(r, depth), offset };
    case 0x02:
      return { kind: 'alias', alias: readAlias(r), offset };
    case 0x04: {
      const name = readExternName(r, 'export');
      return { kind: 'export', name, type: readExternType(r), offset };
    }
    default:
      return leadingByteError(r, b, 'component or instance type declaration', offset);
  }
}

function readComponentDecl(r: Reader, depth: number): ComponentDecl {
  const offset = r.offset;
  if (r.peek('component type declaration') === 0x03) {
    r.byte('component type declaration');
    const name = readExternName(r, 'import');
    return { kind: 'import', name, type: readExternType(r), offset };
  }
  return readInstanceDecl(r, depth);
}

// ---------------------------------------------------------------- aliases

export function readAlias(r: Reader): Alias {
  const sortAt = r.offset;
  const sort = readSort(r, 'alias sort');
  const at = r.offset;
  const b = r.byte('alias target');
  switch (b) {
    case 0x00:
      return { kind: 'export', sort, instance: r.u32('instance index'), name: r.name('alias export name') };
    case 0x01:
      if (!sort.startsWith('core ')) r.fail(`core export alias of non-core sort ${sort}`, sortAt);
      return { kind: 'core-export', sort, instance: r.u32('core instance index'), name: r.name('alias core export name') };
    case 0x02:
      if (sort !== 'type' && sort !== 'component' && sort !== 'core module' && sort !== 'core type') {
        const first = r.bytes[sortAt]!;
        const shown = first === 0x00 ? r.bytes[sortAt + 1]! : first;
        leadingByteError(r, shown, 'component outer alias kind', sortAt);
      }
      return { kind: 'outer', sort, count: r.u32('outer alias count'), index: r.u32('outer alias index') };
    default:
      return leadingByteError(r, b, 'alias', at);
  }
}
