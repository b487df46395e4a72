/**
 * What instantiation (instantiate.ts) reads of each core module, once per module: its exports, the
 * memories among them, and the object that keeps its instances' exports objects' hidden class alive
 * across full GCs (`exportsShape`). Kept per WebAssembly.Module, which the compile cache keeps with
 * its component: a component of other bytes has other module objects.
 */

/** One module's facts; `exportsShape` is made at its second instantiation (`countInstantiation`). */
export interface ModuleFacts {
  readonly exports: readonly WebAssembly.ModuleExportDescriptor[];
  readonly memories: readonly string[];
  instantiations: number;
  exportsShape: object | undefined;
}

const moduleFacts = new WeakMap<WebAssembly.Module, ModuleFacts>();

export function factsOf(module: WebAssembly.Module): ModuleFacts {
  let facts = moduleFacts.get(module);
  if (facts === undefined) {
    const exports = WebAssembly.Module.exports(module);
    facts = { exports, memories: exports.filter((e) => e.kind === 'memory').map((e) => e.name), instantiations: 0, exportsShape: undefined };
    moduleFacts.set(module, facts);
  }
  return facts;
}

/**
 * Counts an instantiation of `module` about to happen; at the second, makes the object that keeps its
 * exports objects' hidden class (`exportsShape`), before V8 builds the exports object, which then
 * follows the transitions the anchor made. Not at the first: a module instantiated once (a cold load
 * nothing loads again) has nothing to gain, and the anchor costs a defineProperty per export.
 */
export function countInstantiation(facts: ModuleFacts): void {
  if (facts.instantiations++ === 1) facts.exportsShape = exportsShape(facts.exports);
}

/** A value for `exportsShape`'s fields: an object, as every export is (a function, memory, table, global or tag). */
const PLACEHOLDER = Object.freeze(Object.create(null) as object);

/**
 * An object built the way V8 (Node 20, V8 11.3: wasm `InstanceBuilder::ProcessExports`) builds a
 * core instance's exports object: an object with a null prototype made from the Object function's
 * initial map, each export defined in export order as enumerable, read-only and non-configurable,
 * then frozen. It gets the same hidden class, and kept alive (with the module, in `moduleFacts`) it
 * keeps that class and the transitions to it, which V8 holds weakly: after a full GC found no live
 * exports object of a module, every instantiation of it made each transition again, ~1/4 of V8's
 * instance build for the SDK examples (callgrind, warm loads after gc()). It holds no export of any
 * instance, only PLACEHOLDER; test/runtime/exports-shape.test.ts checks that the classes match.
 */
function exportsShape(exports: readonly WebAssembly.ModuleExportDescriptor[]): object {
  const o = Object.setPrototypeOf({}, null) as object;
  for (const e of exports) Object.defineProperty(o, e.name, { value: PLACEHOLDER, writable: false, enumerable: true, configurable: false });
  return Object.freeze(o);
}

/** The object keeping the hidden class of `module`'s exports objects, once it was instantiated twice (tests). */
export function exportsShapeOf(module: WebAssembly.Module): object | undefined {
  return moduleFacts.get(module)?.exportsShape;
}
