/**
 * The core modules a component embeds at its top level, read straight from
 * the binary (section id 1), for the raw columns: they run the component's
 * own machine code without any component host.
 */

const CORE_MODULE_SECTION = 1;

function readU32Leb(bytes: Uint8Array, at: number): [value: number, next: number] {
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
