/**
 * The top-level reader: preamble, sections and the definitions in them
 * (Binary.md "Component Definitions" ... "Import and Export Definitions").
 */
import { LoadError } from '../errors.ts';
import type {
  Canon,
  CanonOptEntry,
  Component,
  CoreInstanceExpr,
  CustomSection,
  Definition,
  InstanceExpr,
  NameSection,
  Sort,
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
  readSort,
  readValType,
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
      case 2:
        s.vec('core instances', (rr) => definitions.push({ kind: 'core-instance', offset: rr.offset, expr: readCoreInstance(rr) }));
        break;
      case 3:
        s.vec('core types', (rr) => definitions.push({ kind: 'core-type', offset: rr.offset, type: readCoreDefType(rr, depth + 1) }));
        break;
      case 4: {
        const at = s.offset;
        definitions.push({ kind: 'component', offset: at, component: readComponent(s, depth + 1) });
        break;
      }
      case 5:
        s.vec('instances', (rr) => definitions.push({ kind: 'instance', offset: rr.offset, expr: readInstance(rr) }));
        break;
      case 6:
        s.vec('aliases', (rr) => definitions.push({ kind: 'alias', offset: rr.offset, alias: readAlias(rr) }));
        break;
      case 7:
        s.vec('types', (rr) => definitions.push({ kind: 'type', offset: rr.offset, type: readDefType(rr, depth + 1) }));
        break;
      case 8:
        s.vec('canonical functions', (rr) => definitions.push({ kind: 'canon', offset: rr.offset, canon: readCanon(rr) }));
        break;
      case 9: {
        const at = s.offset;
        const func = s.u32('start function index');
        const args = s.vec('start arguments', (rr) => rr.u32('start argument value index'));
        definitions.push({ kind: 'start', func, args, results: s.u32('start result count'), offset: at });
        break;
      }
      case 10:
        s.vec('imports', (rr) => {
          const at = rr.offset;
          const name = readExternName(rr, 'import');
          definitions.push({ kind: 'import', name, type: readExternType(rr), offset: at });
        });
        break;
      case 11:
        s.vec('exports', (rr) => {
          const at = rr.offset;
          const name = readExternName(rr, 'export');
          const item = { sort: readSort(rr, 'export sort'), index: rr.u32('export index') };
          const type = rr.optional('component export type', readExternType);
          definitions.push({ kind: 'export', name, item, type, offset: at });
        });
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

/**
 * Immediates of the built-ins this host does not implement, by opcode. They are
 * still read in full so a malformed encoding is reported as malformed.
 */
type Imm = 'typeidx' | 'opts' | 'bool' | 'u32' | 'corevaltype' | 'resultlist';
const BUILTINS: ReadonlyMap<number, { name: string; imm: readonly Imm[] }> = new Map([
  [0x24, { name: 'backpressure.inc', imm: [] }],
  [0x25, { name: 'backpressure.dec', imm: [] }],
  [0x09, { name: 'task.return', imm: ['resultlist', 'opts'] }],
  [0x05, { name: 'task.cancel', imm: [] }],
  [0x0a, { name: 'context.get', imm: ['corevaltype', 'u32'] }],
  [0x0b, { name: 'context.set', imm: ['corevaltype', 'u32'] }],
  [0x06, { name: 'subtask.cancel', imm: ['bool'] }],
  [0x0d, { name: 'subtask.drop', imm: [] }],
  [0x0e, { name: 'stream.new', imm: ['typeidx'] }],
  [0x0f, { name: 'stream.read', imm: ['typeidx', 'opts'] }],
  [0x10, { name: 'stream.write', imm: ['typeidx', 'opts'] }],
  [0x11, { name: 'stream.cancel-read', imm: ['typeidx', 'bool'] }],
  [0x12, { name: 'stream.cancel-write', imm: ['typeidx', 'bool'] }],
  [0x13, { name: 'stream.drop-readable', imm: ['typeidx'] }],
  [0x14, { name: 'stream.drop-writable', imm: ['typeidx'] }],
  [0x15, { name: 'future.new', imm: ['typeidx'] }],
  [0x16, { name: 'future.read', imm: ['typeidx', 'opts'] }],
  [0x17, { name: 'future.write', imm: ['typeidx', 'opts'] }],
  [0x18, { name: 'future.cancel-read', imm: ['typeidx', 'bool'] }],
  [0x19, { name: 'future.cancel-write', imm: ['typeidx', 'bool'] }],
  [0x1a, { name: 'future.drop-readable', imm: ['typeidx'] }],
  [0x1b, { name: 'future.drop-writable', imm: ['typeidx'] }],
  [0x1c, { name: 'error-context.new', imm: ['opts'] }],
  [0x1d, { name: 'error-context.debug-message', imm: ['opts'] }],
  [0x1e, { name: 'error-context.drop', imm: [] }],
  [0x1f, { name: 'waitable-set.new', imm: [] }],
  [0x20, { name: 'waitable-set.wait', imm: ['bool', 'u32'] }],
  [0x21, { name: 'waitable-set.poll', imm: ['bool', 'u32'] }],
  [0x22, { name: 'waitable-set.drop', imm: [] }],
  [0x23, { name: 'waitable.join', imm: [] }],
  [0x26, { name: 'thread.index', imm: [] }],
  [0x27, { name: 'thread.new-indirect', imm: ['u32', 'u32'] }],
  [0x28, { name: 'thread.resume-later', imm: [] }],
  [0x29, { name: 'thread.suspend', imm: ['bool'] }],
  [0x0c, { name: 'thread.yield', imm: ['bool'] }],
  [0x2a, { name: 'thread.suspend-then-resume', imm: ['bool'] }],
  [0x2b, { name: 'thread.yield-then-resume', imm: ['bool'] }],
  [0x2c, { name: 'thread.suspend-then-promote', imm: ['bool'] }],
  [0x2d, { name: 'thread.yield-then-promote', imm: ['bool'] }],
  [0x40, { name: 'thread.spawn-ref', imm: ['bool', 'u32'] }],
  [0x41, { name: 'thread.spawn-indirect', imm: ['bool', 'u32', 'u32'] }],
  [0x42, { name: 'thread.available-parallelism', imm: ['bool'] }],
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
  for (const imm of builtin.imm) {
    switch (imm) {
      case 'typeidx':
      case 'u32':
        r.u32(`${builtin.name} immediate`);
        break;
      case 'bool':
        r.bool(`${builtin.name} flag`);
        break;
      case 'opts':
        readCanonOpts(r);
        break;
      case 'corevaltype':
        readCoreValType(r);
        break;
      case 'resultlist': {
        const rat = r.offset;
        const t = r.byte('task.return results');
        if (t === 0x00) readValType(r);
        else if (t === 0x01) r.expectByte(0x00, 'task.return results');
        else leadingByteError(r, t, 'component function results', rat);
        break;
      }
    }
  }
  return { kind: 'builtin', name: builtin.name };
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
        s.vec('name map', (rr) => names.set(rr.u32('name index'), rr.name('name')));
        sortNames.push({ sort, names });
      }
    }
    return { componentName, sortNames };
  } catch {
    return undefined;
  }
}
