/**
 * The WIT printed from a component's own types: read back by wit-parser
 * (through jco's componentEmbed), made into a component again, it has the
 * same types as the original, in both directions of the compatibility check.
 */
import { describe, expect, it } from 'vitest';
import { inspectComponent } from '../../host/inspect/index.ts';
import { checkCompatible } from '../../host/rdylib/compat.ts';
import { readAbiSurface } from '../../host/rdylib/surface.ts';
import { componentEmbed, componentNew } from '../../scripts/lib/jco.ts';
import { readGuest } from '../support/guests.ts';
import { ASYNC_WIT, buildAsyncComponent } from '../support/async-wit.ts';

const EXAMPLES = ['hello', 'kv', 'registry', 'shapes', 'consumer', 'types'] as const;

describe('printed WIT', () => {
  it.each(EXAMPLES)('%s: parses, and a component made from it has the same types', async (name) => {
    const original = readGuest(name);
    const { wit, world } = inspectComponent(original);
    const rebuilt = await componentNew(await componentEmbed({ dummy: true, witSource: wit, world }));
    const types = (bytes: Uint8Array, source: string) => ({ ...readAbiSurface(bytes, source), abi: undefined });
    // Types only: the rebuilt component has no rdylib:abi section.
    expect(() => checkCompatible(types(original, name), types(rebuilt, 'from printed WIT'))).not.toThrow();
    expect(() => checkCompatible(types(rebuilt, 'from printed WIT'), types(original, name))).not.toThrow();
  });

  it('prints async functions, streams, futures and error-context as they were written', async () => {
    const { wit } = inspectComponent(await buildAsyncComponent());
    // The component carries no rdylib:abi section naming its world, so the world is `root`.
    expect(wit).toBe(ASYNC_WIT.replace('world plugin', 'world root'));
  });

  it('names types, resources with their constructor, methods and statics, and the world from the section', () => {
    expect(inspectComponent(readGuest('registry')).wit).toBe(`package rdylib-guest:registry@0.1.0;

interface registry {
  record unit-info {
    name: string,
    symbol: string,
    factor: f64,
  }
  resource unit {
    info: func() -> unit-info;
    symbol: func() -> string;
    rescale: func(factor: f64);
  }
  resource unit-registry {
    len: func() -> u32;
    is-empty: func() -> bool;
    find: func(symbol: string) -> option<unit>;
    all: func() -> list<unit>;
    convert: func(value: f64, %from: string, to: string) -> result<f64, string>;
  }
  registry: func() -> unit-registry;
}

world plugin {
  import rdylib-panic: func(message: string, file: string, line: u32, column: u32);
  export registry;
}
`);
    const kv = inspectComponent(readGuest('kv')).wit;
    expect(kv).toContain('    constructor();\n');
    expect(kv).toContain('    into-pairs: static func(this: store) -> list<tuple<string, string>>;\n');
  });

  it('writes types taken from other interfaces as `use`, across packages fully qualified', () => {
    const shapes = inspectComponent(readGuest('shapes')).wit;
    expect(shapes).toContain('interface shapes {\n  use canvas.{canvas, color, style};\n  use shape.{shape, axis, bounds, transform};\n');
    // A type nested in another definition is named, not spelled out.
    expect(shapes).toContain('variant style { stroke(f64), fill(color), dashed(list<f64>) }');
    const consumer = inspectComponent(readGuest('consumer')).wit;
    expect(consumer).toContain('package rdylib-guest:shapes@0.1.0 {\n  interface shape {\n');
    expect(consumer).toContain('  use rdylib-guest:shapes/shape@0.1.0.{shape, bounds};\n');
    expect(consumer).toContain('  import rdylib-guest:shapes/shape@0.1.0;\n');
  });

  it('a component without a section (not built by the SDK) gets the world name wasm-tools would give it', () => {
    const hello = inspectComponent(readGuest('hello'));
    expect(hello.package).toBe('rdylib:hello@0.1.0');
    expect(hello.world).toBe('root');
    expect(hello.wit).toContain('world root {\n  export greeter;\n}');
  });
});
