/**
 * Reads a component's bytes into what a person (or the playground) wants to
 * know before loading it: its WIT, its lifetime table, what it imports and
 * from whom, what it exports, and where its bytes go. Nothing is
 * instantiated and no plugin code runs. Browser-safe: no Node built-ins.
 */
import { LoadError } from '../errors.ts';
import { isCoreModule, parseComponent } from '../binary/parse.ts';
import { validateComponent } from '../validate/validate.ts';
import { surfaceOfValidated } from '../rdylib/surface.ts';
import type { AbiSurface } from '../rdylib/compat.ts';
import type { RdylibAbi } from '../rdylib/section.ts';
import { describeComponent, type ComponentModel, type InterfaceModel, type WorldItem } from './model.ts';
import { printWit } from './wit.ts';
import { importProvider, type ImportItem } from './capabilities.ts';
import { sizesOf, type Sizes } from './sizes.ts';

/** The component's rdylib:abi section: verified against its types, absent, or refused (why). */
export type Lifetimes =
  | { readonly status: 'checked'; readonly abi: RdylibAbi }
  | { readonly status: 'missing' }
  | { readonly status: 'invalid'; readonly error: string };

export interface ExportItem {
  readonly name: string;
  readonly sort: WorldItem['kind'];
  /** For an interface: its resources and free functions, by WIT name. */
  readonly resources: readonly string[];
  readonly functions: readonly string[];
}

/** Everything `inspectComponent` reads; plain data (JSON-serialisable). */
export interface Inspection {
  readonly source: string;
  /** The WIT package the world is printed in, e.g. `rdylib-guest:kv@0.1.0`. */
  readonly package: string;
  readonly world: string;
  readonly wit: string;
  readonly lifetimes: Lifetimes;
  readonly imports: readonly ImportItem[];
  readonly exports: readonly ExportItem[];
  readonly sizes: Sizes;
}

export interface InspectOptions {
  /** Where the bytes came from, for messages and the report. Default `component`. */
  readonly source?: string;
}

/** A component's surface, its named type model and the verification outcome of its section. */
export interface ReadComponent {
  readonly surface: AbiSurface;
  readonly model: ComponentModel;
  readonly lifetimes: Lifetimes;
  readonly sizes: Sizes;
}

/**
 * Parses and validates a component and reads its section. A section that
 * does not verify is reported (`lifetimes.status === 'invalid'`), not thrown:
 * inspecting a broken plugin is how one finds out what is wrong with it.
 * Bytes that are not a valid component throw LoadError.
 */
export function readComponent(bytes: Uint8Array, source = 'component'): ReadComponent {
  if (isCoreModule(bytes)) {
    throw new LoadError('malformed', `${source} is a core WebAssembly module, not a component; build the crate with \`rdylib build\``, 4);
  }
  const validated = validateComponent(parseComponent(bytes));
  let lifetimes: Lifetimes;
  let surface: AbiSurface;
  try {
    surface = surfaceOfValidated(validated, source);
    lifetimes = surface.abi ? { status: 'checked', abi: surface.abi } : { status: 'missing' };
  } catch (e) {
    if (!(e instanceof LoadError)) throw e;
    surface = { type: validated.type, abi: undefined, source };
    lifetimes = { status: 'invalid', error: e.message };
  }
  return { surface, model: describeComponent(validated.type), lifetimes, sizes: sizesOf(validated.ast, bytes.length) };
}

export function inspectComponent(bytes: Uint8Array, options: InspectOptions = {}): Inspection {
  const source = options.source ?? 'component';
  const { model, lifetimes, sizes } = readComponent(bytes, source);
  const abi = lifetimes.status === 'checked' ? lifetimes.abi : undefined;
  const names = witNames(model, abi);
  return {
    source,
    ...names,
    wit: printWit(model, names),
    lifetimes,
    imports: model.world.imports.map((i) => ({ name: i.name, sort: i.kind, provider: importProvider(i.name, abi) })),
    exports: model.world.exports.map((e) => exportItem(e, model)),
    sizes,
  };
}

/** The package and world to print: the section's when there is one (the binary keeps no world name). */
function witNames(model: ComponentModel, abi: RdylibAbi | undefined): { package: string; world: string } {
  const firstExport = model.interfaces.find((i) => i.direction === 'export' && i.package !== undefined);
  const pkg = abi ? `${abi.package}@${abi.interfaceVersion}` : (firstExport?.package ?? 'root:component');
  return { package: pkg, world: abi?.world ?? 'root' };
}

function exportItem(e: WorldItem, model: ComponentModel): ExportItem {
  const iface: InterfaceModel | undefined =
    e.kind === 'interface' ? model.interfaces.find((i) => i.name === e.name && i.direction === 'export') : undefined;
  return {
    name: e.name,
    sort: e.kind,
    resources: iface ? iface.types.filter((t) => t.kind === 'resource').map((t) => t.name) : [],
    functions: iface ? iface.functions.map((f) => f.member) : [],
  };
}
