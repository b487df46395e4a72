/**
 * Run as `node --expose-gc --allow-natives-syntax --import tsx test/runtime/exports-shape-gc.ts`
 * (exports-shape.test.ts does): prints, as JSON, for every core module of two SDK examples (the
 * shapes example's shim exports only index-like names, which V8 keeps as elements), whether
 * core-module-facts.ts keeps an object per module (`exportsShapeOf`) after the first load (it should not:
 * made at the second instantiation), whether it has the hidden class of that module's instances'
 * exports objects at the second load and at a third after unloads and full GCs, and whether it holds
 * nothing of any instance.
 */
import { compile } from '../../host/load.ts';
import { exportsShapeOf } from '../../host/runtime/core-module-facts.ts';
import { readGuest } from '../support/guests.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc --allow-natives-syntax');
const sameMap = new Function('a', 'b', 'return %HaveSameMap(a, b);') as (a: unknown, b: unknown) => boolean;

/** Every core instance a load makes, with its module (instantiate.ts reads WebAssembly.Instance at each instantiation). */
let made: { module: WebAssembly.Module; exports: WebAssembly.Exports }[] = [];
const Instance = WebAssembly.Instance;
WebAssembly.Instance = class extends Instance {
  constructor(module: WebAssembly.Module, imports?: WebAssembly.Imports) {
    super(module, imports);
    made.push({ module, exports: this.exports });
  }
};

const examples = [
  { name: 'shapes', imports: { 'rdylib-guest:shapes/canvas': {} } },
  { name: 'types', imports: {} },
];

/** For each core instance of one load of `example`: its module's export count and whether its exports share the kept object's class (undefined: none kept). */
async function load(example: (typeof examples)[number]) {
  made = [];
  const plugin = compile(readGuest(example.name)).instantiate(example.imports, example.name);
  const rows = made.map((m) => ({ exports: WebAssembly.Module.exports(m.module).length, same: kept(m.module) && sameMap(m.exports, exportsShapeOf(m.module)) }));
  const modules = made.map((m) => m.module);
  made = [];
  await plugin.unload();
  return { rows, modules };
}

const kept = (m: WebAssembly.Module): boolean => exportsShapeOf(m) !== undefined;

const report: Record<string, unknown> = {};
for (const example of examples) {
  const first = await load(example);
  const keptAfterFirst = first.modules.some(kept);
  const second = await load(example);
  gc();
  gc();
  const third = await load(example);
  const values = first.modules.flatMap((m) => Object.values(exportsShapeOf(m) ?? {}));
  report[example.name] = {
    keptAfterFirst,
    second: second.rows,
    third: third.rows,
    sameModules: [second, third].every((l) => l.modules.every((m, i) => m === first.modules[i])),
    holdsNoExport: values.length > 0 && values.every((v) => typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === null && Object.isFrozen(v) && Object.keys(v as object).length === 0),
  };
}
console.log(JSON.stringify(report));
