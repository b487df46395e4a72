/**
 * The core modules of an SDK-built component (cargo + wit-component), for
 * the warm-load floors (floors/warm.ts): its main module, once the two small
 * modules wit-component adds beside it are proven to be its indirect-call
 * shim and fixup, which a host may then leave uninstantiated.
 *
 * Why a safe host may skip them: the component instantiates the shim first
 * (a table and one trampoline per lowered import: `call_indirect` through
 * the table), the main module with the shim's trampolines as imports, then
 * the fixup, whose only effect is an active element segment writing the
 * lowered functions (canon lower with the main module's memory, or resource
 * drops whose destructor is a main export) into that table. The shim exists
 * only because those lowered functions need the main instance, which does
 * not exist yet when its imports are resolved. A JS host has no such cycle:
 * it can give the main module the lowered functions themselves, as closures
 * that read the main instance's memory late. The behaviour is the same
 * exactly when nothing can call a trampoline before the fixup has run: no
 * start function in any of the three modules. Instantiating the pair costs
 * 20-29% of the main module's own instantiation (warm, after a GC;
 * notes floors.md), so a floor that paid it would make a warm-load target
 * look harder than it is.
 *
 * Every check below runs once per compiled component (a cache miss), never
 * on a warm load. Anything else refuses (LoadError): the floors are written
 * for these components only and claim nothing about other shapes. A miss
 * checks the component's framing (preamble, section bounds) and compiles its
 * core modules, but does not validate the component as a safe host must
 * before its first use: these floors claim nothing about cold loads.
 */
import { readU32Leb as readLeb, topLevelCoreModules } from '../core-modules.ts';
import { LoadError } from './errors.ts';

const SECTION_FUNCTION = 3;
const SECTION_START = 8;
const SECTION_ELEMENT = 9;
const SECTION_CODE = 10;
const SHIM_TABLE = '$imports';
/** `\0asm`, component-model version 0x0d, layer 1. */
const COMPONENT_PREAMBLE = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];

/** The top-level core modules compiled, main first; refuses anything but a main module, its shim and its fixup. */
export function compileSdkMain(bytes: Uint8Array): WebAssembly.Module {
  let sources: Uint8Array[];
  let modules: WebAssembly.Module[];
  checkFraming(bytes);
  try {
    sources = topLevelCoreModules(bytes);
    modules = sources.map((b) => new WebAssembly.Module(b as Uint8Array<ArrayBuffer>));
  } catch (error) {
    throw new LoadError(`malformed component: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (modules.length !== 3) throw new LoadError(`the floor loads a main module with its shim and fixup; this component has ${modules.length} core modules`);
  const [main, shim, fixup] = modules as [WebAssembly.Module, WebAssembly.Module, WebAssembly.Module];
  const [mainBytes, shimBytes, fixupBytes] = sources as [Uint8Array, Uint8Array, Uint8Array];
  const trampolines = shimTrampolines(shim, shimBytes);
  checkFixup(fixup, fixupBytes, trampolines);
  if (sectionsOf(mainBytes).has(SECTION_START)) throw new LoadError('the main module has a start function: its imports could run before the fixup');
  // Only functions cross into the main module: no table (the shim's) or memory of another instance is shared with it.
  if (!WebAssembly.Module.imports(main).every((i) => i.kind === 'function')) throw new LoadError('the main module imports something other than functions');
  return main;
}

/** The component preamble, and every top-level section inside the bytes (a truncated component is refused). */
function checkFraming(bytes: Uint8Array): void {
  if (bytes.length < 8 || !COMPONENT_PREAMBLE.every((b, i) => bytes[i] === b)) throw new LoadError('malformed component: not a component binary (preamble)');
  let at = 8;
  while (at < bytes.length) {
    if (at + 1 >= bytes.length) throw new LoadError(`malformed component: the section at byte ${at} has no size`);
    let size: number;
    let body: number;
    try {
      [size, body] = readLeb(bytes, at + 1);
    } catch {
      throw new LoadError(`malformed component: the size of the section at byte ${at} is truncated`);
    }
    if (body + size > bytes.length) throw new LoadError(`malformed component: the section at byte ${at} ends past the end of the bytes`);
    at = body + size;
  }
}

/** The shim: no imports, no start; exports `0..n-1` (functions) and the table; each body `local.get 0..k; i32.const i; call_indirect`. Returns n. */
function shimTrampolines(shim: WebAssembly.Module, bytes: Uint8Array): number {
  const exports = WebAssembly.Module.exports(shim);
  const functions = exports.filter((e) => e.kind === 'function');
  const ok =
    WebAssembly.Module.imports(shim).length === 0 &&
    exports.length === functions.length + 1 &&
    exports.some((e) => e.kind === 'table' && e.name === SHIM_TABLE) &&
    functions.every((e, i) => e.name === String(i));
  if (!ok || sectionsOf(bytes).has(SECTION_START)) throw new LoadError('the second core module is not an indirect-call shim');
  const bodies = codeBodies(bytes);
  if (bodies.length !== functions.length || !bodies.every((body, i) => isTrampoline(body, i))) throw new LoadError('a shim function is not a trampoline through its table');
  return functions.length;
}

/** The fixup: imports `actual` 0..n-1 (functions) and the shim's table; no functions, exports or start of its own; one segment: the imports, in order, at 0. */
function checkFixup(fixup: WebAssembly.Module, bytes: Uint8Array, n: number): void {
  const imports = WebAssembly.Module.imports(fixup);
  const ok =
    WebAssembly.Module.exports(fixup).length === 0 &&
    imports.length === n + 1 &&
    imports.slice(0, n).every((i, k) => i.module === 'actual' && i.name === String(k) && i.kind === 'function') &&
    imports[n]!.module === 'shim' && imports[n]!.name === SHIM_TABLE && imports[n]!.kind === 'table';
  const sections = sectionsOf(bytes);
  if (!ok || sections.has(SECTION_START) || sections.has(SECTION_FUNCTION) || sections.has(SECTION_CODE)) throw new LoadError('the third core module is not a fixup of the shim');
  // One active segment for table 0 at offset 0 listing functions 0..n-1 (the imports): flags 0, `i32.const 0; end`, vec(funcidx).
  const expected = [1, 0, 0x41, 0, 0x0b, ...leb(n), ...Array.from({ length: n }, (_, k) => leb(k)).flat()];
  const element = sections.get(SECTION_ELEMENT);
  if (element === undefined || element.length !== expected.length || !expected.every((b, k) => element[k] === b)) throw new LoadError('the fixup does not fill the shim table with its imports in order');
}

/** `local.get 0..k; i32.const index; call_indirect (type t) (table 0); end`, no locals. */
function isTrampoline(body: Uint8Array, index: number): boolean {
  let at = 0;
  if (body[at++] !== 0) return false; // no local declarations
  let param = 0;
  while (body[at] === 0x20) {
    const [local, next] = readLeb(body, at + 1);
    if (local !== param++) return false;
    at = next;
  }
  if (body[at++] !== 0x41) return false;
  const [i, afterIndex] = readLeb(body, at);
  if (i !== index || body[afterIndex] !== 0x11) return false;
  const [, afterType] = readLeb(body, afterIndex + 1);
  return body[afterType] === 0 && body[afterType + 1] === 0x0b && afterType + 2 === body.length;
}

/** Each section's payload by id (the ids these checks read occur at most once in a valid module). */
function sectionsOf(module: Uint8Array): Map<number, Uint8Array> {
  const sections = new Map<number, Uint8Array>();
  let at = 8;
  while (at < module.length) {
    const id = module[at]!;
    const [size, body] = readLeb(module, at + 1);
    if (id !== 0) sections.set(id, module.subarray(body, body + size));
    at = body + size;
  }
  return sections;
}

function codeBodies(module: Uint8Array): Uint8Array[] {
  const code = sectionsOf(module).get(SECTION_CODE);
  if (code === undefined) return [];
  const [count, first] = readLeb(code, 0);
  const bodies: Uint8Array[] = [];
  let at = first;
  for (let k = 0; k < count; k++) {
    const [size, body] = readLeb(code, at);
    bodies.push(code.subarray(body, body + size));
    at = body + size;
  }
  return bodies;
}

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}
