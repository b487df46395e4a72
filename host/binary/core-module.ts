/**
 * A reader for the parts of a core module (core spec "Binary Format",
 * Modules) that component validation needs and Node's JS API cannot report:
 * function types, and the types of imports and exports. Only the type,
 * import, function, table, memory, global, tag and export sections are read;
 * code and data are skipped. The module is expected to have been accepted by
 * `WebAssembly.Module` first, so this reader only has to understand what the
 * engine accepts.
 */
import type { CoreLimits, CoreRefType, CoreValType } from './ast.ts';
import { Reader, leadingByteError } from './reader.ts';
import { readCoreExternType, readCoreValType, readLimits } from './types.ts';

export interface CoreFuncSig {
  readonly params: readonly CoreValType[];
  readonly results: readonly CoreValType[];
}

/** The type of one core item (`externtype` of the core spec) with type indices resolved. */
export type CoreItemType =
  | { readonly kind: 'func'; readonly sig: CoreFuncSig }
  | { readonly kind: 'table'; readonly element: CoreRefType; readonly limits: CoreLimits }
  | { readonly kind: 'memory'; readonly limits: CoreLimits }
  | { readonly kind: 'global'; readonly type: CoreValType; readonly mutable: boolean }
  | { readonly kind: 'tag'; readonly sig: CoreFuncSig };

export interface CoreModuleInfo {
  readonly imports: readonly { readonly module: string; readonly name: string; readonly type: CoreItemType }[];
  readonly exports: readonly { readonly name: string; readonly type: CoreItemType }[];
}

const SECTION_TYPE = 1;
const SECTION_IMPORT = 2;
const SECTION_FUNCTION = 3;
const SECTION_TABLE = 4;
const SECTION_MEMORY = 5;
const SECTION_GLOBAL = 6;
const SECTION_EXPORT = 7;
const SECTION_TAG = 13;

const EXPORT_KINDS = ['func', 'table', 'memory', 'global', 'tag'] as const;

/**
 * Reads a core module's import and export types. `offset` is where the
 * module starts in the component, for error positions. Throws
 * `LoadError('malformed')` on encodings it cannot read.
 */
export function readCoreModuleInfo(bytes: Uint8Array, offset = 0): CoreModuleInfo {
  const r = new Reader(bytes, 8);
  const types: (CoreFuncSig | undefined)[] = [];
  // The function index space is the imported functions, then the defined ones: the function section is read as one
  // array of type indices (a 1 MB module has tens of thousands of functions), and an item is made only for an export.
  const importedFuncs: CoreItemType[] = [];
  let definedFuncs: Uint32Array = new Uint32Array(0);
  /** One item per function type: functions of one type have one item type. */
  const funcItems: (CoreItemType | undefined)[] = [];
  const funcItem = (index: number): CoreItemType | undefined => {
    if (index < importedFuncs.length) return importedFuncs[index];
    const typeIndex = definedFuncs[index - importedFuncs.length];
    if (typeIndex === undefined) return undefined;
    return (funcItems[typeIndex] ??= { kind: 'func', sig: types[typeIndex]! });
  };
  const tables: CoreItemType[] = [];
  const memories: CoreItemType[] = [];
  const globals: CoreItemType[] = [];
  const tags: CoreItemType[] = [];
  const imports: { module: string; name: string; type: CoreItemType }[] = [];
  const exports: { name: string; type: CoreItemType }[] = [];
  const sigAt = (index: number, at: number): CoreFuncSig => {
    const t = types[index];
    if (t === undefined) throw r.fail(`core module: type index ${index} is not a function type`, offset + at);
    return t;
  };
  while (!r.atEnd()) {
    const id = r.byte('core section id');
    const s = r.sub(r.u32('core section size'), `core section ${id}`);
    switch (id) {
      case SECTION_TYPE:
        s.vec('core types', (rr) => {
          const at = rr.offset;
          const form = rr.byte('core type form');
          if (form !== 0x60) return leadingByteError(rr, form, 'core type (only function types are read)', offset + at);
          const params = rr.vec('core function parameters', readCoreValType);
          const results = rr.vec('core function results', readCoreValType);
          types.push({ params, results });
        });
        break;
      case SECTION_IMPORT:
        s.vec('core imports', (rr) => {
          const module = rr.name('core import module name');
          const name = rr.name('core import name');
          const at = rr.offset;
          const t = readCoreExternType(rr);
          let type: CoreItemType;
          switch (t.kind) {
            case 'func':
              type = { kind: 'func', sig: sigAt(t.typeIndex, at) };
              importedFuncs.push(type);
              break;
            case 'tag':
              type = { kind: 'tag', sig: sigAt(t.typeIndex, at) };
              tags.push(type);
              break;
            case 'table':
              type = t;
              tables.push(type);
              break;
            case 'memory':
              type = t;
              memories.push(type);
              break;
            case 'global':
              type = t;
              globals.push(type);
              break;
          }
          imports.push({ module, name, type });
        });
        break;
      case SECTION_FUNCTION: {
        const at = s.offset;
        definedFuncs = s.u32s('core function type indices');
        // Every type read is a function type (the type section refuses other forms), so the largest index is the one check.
        let largest = -1;
        for (const typeIndex of definedFuncs) if (typeIndex > largest) largest = typeIndex;
        if (largest >= types.length) sigAt(largest, at);
        break;
      }
      case SECTION_TABLE:
        s.vec('core tables', (rr) => {
          const at = rr.offset;
          const t = readCoreValType(rr);
          if (typeof t === 'string') return leadingByteError(rr, rr.bytes[at]!, 'core table element type', offset + at);
          tables.push({ kind: 'table', element: t, limits: readLimits(rr) });
        });
        break;
      case SECTION_MEMORY:
        s.vec('core memories', (rr) => memories.push({ kind: 'memory', limits: readLimits(rr) }));
        break;
      case SECTION_GLOBAL:
        // Each global's type is followed by its initializer, skipped to reach the next one.
        s.vec('core globals', (rr) => {
          const type = readCoreValType(rr);
          const mutable = rr.bool('core global mutability');
          globals.push({ kind: 'global', type, mutable });
          skipConstExpr(rr);
        });
        break;
      case SECTION_TAG:
        s.vec('core tags', (rr) => {
          rr.expectByte(0x00, 'core tag attribute');
          const at = rr.offset;
          tags.push({ kind: 'tag', sig: sigAt(rr.u32('core tag type index'), at) });
        });
        break;
      case SECTION_EXPORT:
        s.vec('core exports', (rr) => {
          const name = rr.name('core export name');
          const at = rr.offset;
          const k = rr.byte('core export kind');
          const kind = EXPORT_KINDS[k];
          if (kind === undefined) return leadingByteError(rr, k, 'core export kind', offset + at);
          const index = rr.u32('core export index');
          const type = kind === 'func' ? funcItem(index) : { table: tables, memory: memories, global: globals, tag: tags }[kind][index];
          if (type === undefined) throw rr.fail(`core module: export \`${name}\` refers to ${kind} ${index}, which does not exist`, offset + at);
          exports.push({ name, type });
        });
        break;
      default:
        // Custom, start, element, code, data and data-count sections carry no import or export types.
        s.take(s.remaining, `core section ${id}`);
        break;
    }
  }
  return { imports, exports };
}

/**
 * Skips a constant expression (a global's initializer): the instructions
 * engines accept there, up to the final `end`.
 */
function skipConstExpr(r: Reader): void {
  for (;;) {
    const at = r.offset;
    const op = r.byte('constant expression');
    switch (op) {
      case 0x0b:
        return;
      case 0x41:
      case 0x42:
        // i32.const / i64.const: a signed LEB128 of up to 10 bytes.
        while ((r.byte('constant') & 0x80) !== 0);
        break;
      case 0x43:
        r.take(4, 'f32 constant');
        break;
      case 0x44:
        r.take(8, 'f64 constant');
        break;
      case 0x23:
      case 0xd2:
        r.u32('global or function index');
        break;
      case 0xd0:
        r.s33('ref.null heap type');
        break;
      case 0x6a:
      case 0x6b:
      case 0x6c:
      case 0x7c:
      case 0x7d:
      case 0x7e:
        // Extended constant expressions: i32/i64 add, sub, mul.
        break;
      case 0xfd:
        if (r.u32('SIMD opcode') !== 12) leadingByteError(r, op, 'constant expression', at);
        r.take(16, 'v128 constant');
        break;
      default:
        leadingByteError(r, op, 'constant expression', at);
    }
  }
}
