/**
 * The core modules a component embeds at its top level, read straight from
 * the binary (section id 1), for the raw columns: they run the component's
 * own machine code without any component host.
 */
import { encodeU32Leb128 } from '../host/binary/leb128.ts';

const CORE_MODULE_SECTION = 1;

/** An unsigned LEB128 at `at`: its value and the offset after it (RangeError when the bytes end inside it). */
export function readU32Leb(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    if (byte === undefined) throw new RangeError('truncated LEB128 in component');
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, at];
    shift += 7;
  }
}

/** The bytes of each top-level core module, in order. */
export function topLevelCoreModules(component: Uint8Array): Uint8Array[] {
  const modules: Uint8Array[] = [];
  let at = 8; // preamble: magic, version, layer
  while (at < component.length) {
    const id = component[at]!;
    const [size, body] = readU32Leb(component, at + 1);
    if (id === CORE_MODULE_SECTION) modules.push(component.subarray(body, body + size));
    at = body + size;
  }
  return modules;
}

/** The one top-level core module that exports `name`; throws when none or several do. */
export function coreModuleExporting(component: Uint8Array, name: string): WebAssembly.Module {
  const found = topLevelCoreModules(component)
    .map((bytes) => new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>))
    .filter((m) => WebAssembly.Module.exports(m).some((e) => e.name === name));
  if (found.length !== 1) throw new Error(`expected one core module exporting ${name}, found ${found.length}`);
  return found[0]!;
}

const NONCE_SECTION_NAME = new TextEncoder().encode('rdylib-bench-nonce');

/**
 * A core module with a custom section naming `nonce` appended: the same code,
 * other bytes. V8 answers a compile from its native module cache while a
 * module of the same bytes is alive anywhere in the process (jco's generated
 * JS modules, for one, are never collected), so a cold load is only cold on
 * bytes nothing has compiled yet.
 */
export function coreModuleWithNonce(module: Uint8Array, nonce: number): Uint8Array<ArrayBuffer> {
  const payload = [...encodeU32Leb128(NONCE_SECTION_NAME.length), ...NONCE_SECTION_NAME, ...encodeU32Leb128(nonce)];
  const section = [0, ...encodeU32Leb128(payload.length), ...payload];
  const out = new Uint8Array(module.length + section.length);
  out.set(module);
  out.set(section, module.length);
  return out;
}

/** The component with every top-level core module given `nonce` (coreModuleWithNonce); everything else byte for byte. */
export function componentWithNonce(component: Uint8Array, nonce: number): Uint8Array<ArrayBuffer> {
  const parts: Uint8Array[] = [component.subarray(0, 8)];
  let at = 8;
  while (at < component.length) {
    const id = component[at]!;
    const [size, body] = readU32Leb(component, at + 1);
    if (id === CORE_MODULE_SECTION) {
      const module = coreModuleWithNonce(component.subarray(body, body + size), nonce);
      parts.push(new Uint8Array([id, ...encodeU32Leb128(module.length)]), module);
    } else {
      parts.push(component.subarray(at, body + size));
    }
    at = body + size;
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
