/**
 * The top-level reader: preamble, sections and the definitions in them
 * (Binary.md "Component Definitions" ... "Import and Export Definitions").
 */
import { LoadError } from '../errors.ts';
import type {
  Canon,
  CanonBuiltin,
  CancellableThreadBuiltinKind,
  CanonOptEntry,
  Component,
  CoreInstanceExpr,
  CustomSection,
  Definition,
  InstanceExpr,
  NameSection,
  PlainBuiltinKind,
  Sort,
  StreamOrFuture,
} from './ast.ts';
import { Reader, leadingByteError } from './reader.ts';
import {
  checkDepth,
  readAlias,
  readCoreDefType,
  readCoreSort,
  readCoreValType,
  readDefType,
  readExternName,
  readExternType,
  readResultList,
  readSort,
} from './types.ts';

const MAGIC = [0x00, 0x61, 0x73, 0x6d];
const COMPONENT_VERSION = 0x0d;
const COMPONENT_LAYER = 0x01;

/** Reads a whole component binary. Throws `LoadError('malformed', ...)` on any encoding error. */
export function parseComponent(bytes: Uint8Array): Component {
  const r = new Reader(bytes);
  const component = readComponent(r, 0);
  r.expectEnd('component');
  return component;
}

/** Whether the bytes start like a core module (layer 0) rather than a component. */
export function isCoreModule(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && MAGIC.every((b, i) => bytes[i] === b) && bytes[6] === 0 && bytes[7] === 0;
}

function readPreamble(r: Reader): void {
  const at = r.offset;
  for (const m of MAGIC) {
    if (r.byte('magic header') !== m) r.fail('magic header not detected: not a WebAssembly binary', at);
  }
  const vat = r.offset;
  const version = r.byte('version') | (r.byte('version') << 8);
  const layer = r.byte('layer') | (r.byte('layer') << 8);
  if (layer === 0) {
    throw new LoadError('malformed', 'this is a core WebAssembly module, not a component (layer 0)', vat + 2);
  }
  if (layer !== COMPONENT_LAYER) r.fail(`unknown binary layer 0x${layer.toString(16)}`, vat + 2);
  if (version !== COMPONENT_VERSION) {
    r.fail(`unknown binary version 0x${version.toString(16)}; this host reads component binary version 0x${COMPONENT_VERSION.toString(16)}`, vat);
  }
}

function readComponent(r: Reader, depth: number): Component {
  checkDepth(r, depth);
  const offset = r.offset;
  readPreamble(r);
  const definitions: Definition[] = [];
  const customSections: CustomSection[] = [];
  let names: NameSection | undefined;
  while (!r.atEnd()) {
    const idAt = r.offset;
    const id = r.byte('section id');
    const size = r.u32('section size');
    const s = r.sub(size, `section ${id}`);
    const what = SECTION_NAMES[id];
    if (what === undefined) s.fail(`malformed section id ${id}`, idAt);
    switch (id) {
      case 0: {
        const cs: CustomSection = { name: s.name('custom section name'), data: s.take(s.remaining, 'custom section'), offset: idAt };
        customSections.push(cs);
        if (cs.name === 'component-name' && names === undefined) names = readNameSection(cs.data);
        continue;
      }
      case 1:
        // A core module is kept as bytes; WebAssembly.Module validates it later.
        definitions.push({ kind: 'core-module', offset: s.offset, bytes: s.take(s.remaining, 'core module') });
        break;
      // Each vector section is read by a loop over its count (what `Reader.vec` does), not `vec` with an
      // arrow: an arrow made per call loses its optimised code with the closure at each full GC (V8
      // holds it weakly), so V8 optimised these again at every cold load.
      case 2:
        for (let i = 0, n = s.count('core instances'); i < n; i++) definitions.push({ kind: 'core-instance', offset: s.offset, expr: readCoreInstance(s) });
        break;
      case 3:
        for (let i = 0, n = s.count('core types'); i < n; i++) definitions.push({ kind: 'core-type', offset: s.offset, type: readCoreDefType(s, depth + 1) });
        break;
      case 4: {
        const at = s.offset;
        definitions.push({ kind: 'component', offset: at, component: readComponent(s, depth + 1) });
        break;
      }
      case 5:
        for (let i = 0, n = s.count('instances'); i < n; i++) definitions.push({ kind: 'instance', offset: s.offset, expr: readInstance(s) });
        break;
      case 6:
        for (let i = 0, n = s.count('aliases'); i < n; i++) definitions.push({ kind: 'alias', offset: s.offset, alias: readAlias(s) });
        break;
      case 7:
        for (let i = 0, n = s.count('types'); i < n; i++) definitions.push({ kind: 'type', offset: s.offset, type: readDefType(s, depth + 1) });
        break;
      case 8:
        for (let i = 0, n = s.count('canonical functions'); i < n; i++) definitions.push({ kind: 'canon', offset: s.offset, canon: readCanon(s) });
        break;
      case 9: {
        const at = s.offset;
        const func = s.u32('start function index');
        const args = s.vec('start arguments', (rr) => rr.u32('start argument value index'));
        definitions.push({ kind: 'start', func, args, results: s.u32('start result count'), offset: at });
        break;
      }
      case 10:
        for (let i = 0, n = s.count('imports'); i < n; i++) {
          const at = s.offset;
          const name = readExternName(s, 'import');
          definitions.push({ kind: 'import', name, type: readExternType(s), offset: at });
        }
        break;
      case 11:
        for (let i = 0, n = s.count('exports'); i < n; i++) {
          const at = s.offset;
          const name = readExternName(s, 'export');
          const item = { sort: readSort(s, 'export sort'), index: s.u32('export index') };
          const type = s.optional('component export type', readExternType);
          definitions.push({ kind: 'export', name, item, type, offset: at });
        }
        break;
      case 12:
        // 🪙 values: recorded so validation can reject them by name; the payload is not decoded.
        definitions.push({ kind: 'value', offset: s.offset });
        s.take(s.remaining, 'value section');
        break;
    }
    s.expectEnd(`${what} section`);
  }
  return { definitions, customSections, names, offset };
}

const SECTION_NAMES: Record<number, string> = {
  0: 'custom',
  1: 'core module',
  2: 'core instance',
  3: 'core type',
  4: 'component',
  5: 'instance',
  6: 'alias',
  7: 'type',
  8: 'canon',
  9: 'start',
  10: 'import',
  11: 'export',
  12: 'value',
};

function readCoreInstance(r: Reader): CoreInstanceExpr {
  const at = r.offset;
  const b = r.byte('core instance');
  if (b === 0x00) {
    const module = r.u32('core module index');
    const args = r.vec('core instantiation arguments', (rr) => {
      const name = rr.name('core instantiation argument name');
      rr.expectByte(0x12, 'core instantiation argument kind (instance)');
      return { name, instance: rr.u32('core instance index') };
    });
    return { kind: 'instantiate', module, args };
  }
  if (b === 0x01) {
    const exports = r.vec('core inline exports', (rr) => {
      const name = rr.name('core export name');
      const sort = readCoreSort(rr);
      return { name, sort, index: rr.u32('core export index') };
    });
    return { kind: 'exports', exports };
  }
  return leadingByteError(r, b, 'core instance', at);
}

function readInstance(r: Reader): InstanceExpr {
  const at = r.offset;
  const b = r.byte('instance');
  if (b === 0x00) {
    const component = r.u32('component index');
    const args = r.vec('instantiation arguments', (rr) => {
      const name = rr.name('instantiation argument name');
      const sort: Sort = readSort(rr);
      return { name, item: { sort, index: rr.u32('instantiation argument index') } };
    });
    return { kind: 'instantiate', component, args };
  }
  if (b === 0x01) {
    const exports = r.vec('inline exports', (rr) => {
      const name = readExternName(rr, 'inline export');
      const sort = readSort(rr);
      return { name, item: { sort, index: rr.u32('inline export index') } };
    });
    return { kind: 'exports', exports };
  }
  return leadingByteError(r, b, 'instance', at);
}

function readCanonOpts(r: Reader): CanonOptEntry[] {
  return r.vec('canonical options', (rr) => {
    const offset = rr.offset;
    const b = rr.byte('canonical option');
    switch (b) {
      case 0x00:
        return { offset, opt: { kind: 'string-encoding', encoding: 'utf8' } };
      case 0x01:
        return { offset, opt: { kind: 'string-encoding', encoding: 'utf16' } };
      case 0x02:
        return { offset, opt: { kind: 'string-encoding', encoding: 'latin1+utf16' } };
      case 0x03:
        return { offset, opt: { kind: 'memory', index: rr.u32('memory index') } };
      case 0x04:
        return { offset, opt: { kind: 'realloc', index: rr.u32('realloc function index') } };
      case 0x05:
        return { offset, opt: { kind: 'post-return', index: rr.u32('post-return function index') } };
      case 0x06:
        return { offset, opt: { kind: 'async' } };
      case 0x07:
        return { offset, opt: { kind: 'callback', index: rr.u32('callback function index') } };
      case 0x08:
        return { offset, opt: { kind: 'core-type', index: rr.u32('core type index') } };
      case 0x09:
        return { offset, opt: { kind: 'gc' } };
      default:
        return leadingByteError(rr, b, 'canonical option', offset);
    }
  });
}

/** How a built-in's immediates are read, keyed by its opcode (Binary.md `canon`). */
type BuiltinReader = (r: Reader) => CanonBuiltin;

const noImmediates = (kind: PlainBuiltinKind): BuiltinReader => () => ({ kind });
const withType = (kind: StreamOrFuture<'new' | 'drop-readable' | 'drop-writable'>): BuiltinReader => (r) => ({ kind, typeIndex: r.u32(`${kind} type index`) });
const withTypeAndOpts = (kind: StreamOrFuture<'read' | 'write'>): BuiltinReader => (r) => {
  const typeIndex = r.u32(`${kind} type index`);
  return { kind, typeIndex, options: readCanonOpts(r) };
};
const withTypeAndAsync = (kind: StreamOrFuture<'cancel-read' | 'cancel-write'>): BuiltinReader => (r) => {
  const typeIndex = r.u32(`${kind} type index`);
  return { kind, typeIndex, async: readFlag(r, `${kind} async`) };
};
const withCancellable =
  (kind: CancellableThreadBuiltinKind): BuiltinReader =>
  (r) => ({ kind, cancellable: readFlag(r, `${kind} cancellable`) });

/** `async?`, `cancel?` and `sh?`: 0x00 absent, 0x01 present. */
function readFlag(r: Reader, what: string): boolean {
  return r.bool(what);
}

const BUILTINS: ReadonlyMap<number, BuiltinReader> = new Map<number, BuiltinReader>([
  [0x24, noImmediates('backpressure.inc')],
  [0x25, noImmediates('backpressure.dec')],
  [0x09, (r) => {
    const result = readResultList(r);
    return { kind: 'task.return', result, options: readCanonOpts(r) };
  }],
  [0x05, noImmediates('task.cancel')],
  [0x0a, (r) => ({ kind: 'context.get', type: readCoreValType(r), slot: r.u32('context.get index') })],
  [0x0b, (r) => ({ kind: 'context.set', type: readCoreValType(r), slot: r.u32('context.set index') })],
  [0x06, (r) => ({ kind: 'subtask.cancel', async: readFlag(r, 'subtask.cancel async') })],
  [0x0d, noImmediates('subtask.drop')],
  [0x0e, withType('stream.new')],
  [0x0f, withTypeAndOpts('stream.read')],
  [0x10, withTypeAndOpts('stream.write')],
  [0x11, withTypeAndAsync('stream.cancel-read')],
  [0x12, withTypeAndAsync('stream.cancel-write')],
  [0x13, withType('stream.drop-readable')],
  [0x14, withType('stream.drop-writable')],
  [0x15, withType('future.new')],
  [0x16, withTypeAndOpts('future.read')],
  [0x17, withTypeAndOpts('future.write')],
  [0x18, withTypeAndAsync('future.cancel-read')],
  [0x19, withTypeAndAsync('future.cancel-write')],
  [0x1a, withType('future.drop-readable')],
  [0x1b, withType('future.drop-writable')],
  [0x1c, (r) => ({ kind: 'error-context.new', options: readCanonOpts(r) })],
  [0x1d, (r) => ({ kind: 'error-context.debug-message', options: readCanonOpts(r) })],
  [0x1e, noImmediates('error-context.drop')],
  [0x1f, noImmediates('waitable-set.new')],
  [0x20, (r) => {
    const cancellable = readFlag(r, 'waitable-set.wait cancellable');
    return { kind: 'waitable-set.wait', cancellable, memory: r.u32('waitable-set.wait memory index') };
  }],
  [0x21, (r) => {
    const cancellable = readFlag(r, 'waitable-set.poll cancellable');
    return { kind: 'waitable-set.poll', cancellable, memory: r.u32('waitable-set.poll memory index') };
  }],
  [0x22, noImmediates('waitable-set.drop')],
  [0x23, noImmediates('waitable.join')],
  [0x26, noImmediates('thread.index')],
  [0x27, (r) => {
    const coreTypeIndex = r.u32('thread.new-indirect core type index');
    return { kind: 'thread.new-indirect', coreTypeIndex, table: r.u32('thread.new-indirect table index') };
  }],
  [0x28, noImmediates('thread.resume-later')],
  [0x29, withCancellable('thread.suspend')],
  [0x0c, withCancellable('thread.yield')],
  [0x2a, withCancellable('thread.suspend-then-resume')],
  [0x2b, withCancellable('thread.yield-then-resume')],
  [0x2c, withCancellable('thread.suspend-then-promote')],
  [0x2d, withCancellable('thread.yield-then-promote')],
  [0x40, (r) => {
    const shared = readFlag(r, 'thread.spawn-ref shared');
    return { kind: 'thread.spawn-ref', shared, coreTypeIndex: r.u32('thread.spawn-ref core type index') };
  }],
  [0x41, (r) => {
    const shared = readFlag(r, 'thread.spawn-indirect shared');
    const coreTypeIndex = r.u32('thread.spawn-indirect core type index');
    return { kind: 'thread.spawn-indirect', shared, coreTypeIndex, table: r.u32('thread.spawn-indirect table index') };
  }],
  [0x42, (r) => ({ kind: 'thread.available-parallelism', shared: readFlag(r, 'thread.available-parallelism shared') })],
]);

function readCanon(r: Reader): Canon {
  const at = r.offset;
  const b = r.byte('canonical function');
  switch (b) {
    case 0x00: {
      r.expectByte(0x00, 'canonical lift sort (core func)');
      const coreFunc = r.u32('core function index');
      const options = readCanonOpts(r);
      return { kind: 'lift', coreFunc, options, typeIndex: r.u32('function type index') };
    }
    case 0x01: {
      r.expectByte(0x00, 'canonical lower sort (func)');
      const func = r.u32('function index');
      return { kind: 'lower', func, options: readCanonOpts(r) };
    }
    case 0x02:
      return { kind: 'resource.new', typeIndex: r.u32('resource type index') };
    case 0x03:
      return { kind: 'resource.drop', typeIndex: r.u32('resource type index') };
    case 0x04:
      return { kind: 'resource.rep', typeIndex: r.u32('resource type index') };
  }
  const builtin = BUILTINS.get(b);
  if (builtin === undefined) return leadingByteError(r, b, 'canonical function', at);
  return builtin(r);
}

/**
 * The `component-name` section. Its validity is not required (Binary.md), so
 * any decoding problem yields `undefined` instead of an error.
 */
function readNameSection(data: Uint8Array): NameSection | undefined {
  try {
    const r = new Reader(data);
    let componentName: string | undefined;
    const sortNames: { sort: Sort; names: Map<number, string> }[] = [];
    while (!r.atEnd()) {
      const id = r.byte('name subsection id');
      const s = r.sub(r.u32('name subsection size'), 'name subsection');
      if (id === 0) componentName = s.name('component name');
      else if (id === 1) {
        const sort = readSort(s);
        const names = new Map<number, string>();
        // `vec`'s count and loop written out: a callback here would be a new closure per name
        // subsection, and optimised code that only closures of one load hold is lost at the next full
        // GC (the feedback vector keeps it weakly), so each cold load optimised it again.
        const n = s.count('name map');
        for (let i = 0; i < n; i++) names.set(s.u32('name index'), s.name('name'));
        sortNames.push({ sort, names });
      }
    }
    return { componentName, sortNames };
  } catch {
    return undefined;
  }
}
