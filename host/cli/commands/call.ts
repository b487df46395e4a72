/**
 * `rdylib call`: load a plugin, call one function with JSON arguments, print
 * the result as JSON, unload. Works on any component; one without an
 * rdylib:abi section is loaded `unchecked`, with a note.
 */
import { compile, load } from '../../load.ts';
import { LoadError, ResultError } from '../../errors.ts';
import type { Plugin } from '../../plugin/plugin.ts';
import { camel } from '../../runtime/js-names.ts';
import type { FuncType } from '../../types.ts';
import { parseExternName } from '../../validate/names.ts';
import { describeComponent, splitInterfaceName } from '../../inspect/model.ts';
import { UsageError, positionals, type Command } from '../command.ts';
import { fromJson, toJsonText } from '../json-values.ts';
import { readComponentFile } from '../read-file.ts';

/** A function a command line can call: free, in an exported interface or at world level. */
interface Callable {
  /** The exported interface's full name; undefined at world level. */
  readonly iface: string | undefined;
  readonly name: string;
  readonly type: FuncType;
}

function callableName(c: Callable): string {
  return c.iface === undefined ? c.name : `${c.iface}#${c.name}`;
}

function callables(exports: ReadonlyMap<string, { kind: string; type?: unknown }>): Callable[] {
  const out: Callable[] = [];
  for (const [name, desc] of exports) {
    if (desc.kind === 'func' && isPlainName(name)) out.push({ iface: undefined, name, type: desc.type as FuncType });
    if (desc.kind !== 'instance') continue;
    const inner = (desc.type as { exports: ReadonlyMap<string, { kind: string; type?: unknown }> }).exports;
    for (const [f, d] of inner) if (d.kind === 'func' && isPlainName(f)) out.push({ iface: name, name: f, type: d.type as FuncType });
  }
  return out;
}

function isPlainName(name: string): boolean {
  const p = parseExternName(name);
  return typeof p !== 'string' && p.kind === 'label';
}

/** The interface an `iface` spec names: its full name, without version, or its short name (`kv`). */
function ifaceMatches(spec: string, iface: string): boolean {
  const { package: pkg, local } = splitInterfaceName(iface);
  const unversioned = pkg === undefined ? iface : `${pkg.replace(/@.*$/, '')}/${local}`;
  return spec === iface || spec === unversioned || spec === local;
}

export function resolveFunction(spec: string, all: readonly Callable[]): Callable {
  const hash = spec.lastIndexOf('#');
  const ifaceSpec = hash < 0 ? undefined : spec.slice(0, hash);
  const fnSpec = hash < 0 ? spec : spec.slice(hash + 1);
  const matches = all.filter(
    (c) => (c.name === fnSpec || camel(c.name) === fnSpec) && (ifaceSpec === undefined || (c.iface !== undefined && ifaceMatches(ifaceSpec, c.iface))),
  );
  if (matches.length === 1) return matches[0]!;
  const list = all.map(callableName).join(', ') || '(none)';
  if (matches.length === 0) throw new UsageError(`no exported function ${JSON.stringify(spec)}; the component exports: ${list}`);
  throw new UsageError(`${JSON.stringify(spec)} is ambiguous: ${matches.map(callableName).join(', ')}; write it as <interface>#<function>`);
}

async function loadForCall(bytes: Uint8Array, name: string, note: (text: string) => void): Promise<Plugin> {
  try {
    return await load(bytes, { name });
  } catch (e) {
    if (!(e instanceof LoadError && e.kind === 'missing-lifetimes')) throw e;
    note(`note: ${name} has no rdylib:abi section (not built with the rdylib SDK): loaded unchecked, its types are checked but not its lifetimes\n`);
    return load(bytes, { name, unchecked: true });
  }
}

export const callCommand: Command = {
  name: 'call',
  summary: 'call one exported function with JSON arguments and print the result as JSON',
  usage: `rdylib call <plugin.wasm> <function> [json-arg ...]

Loads the plugin (with the same checks as \`load\`), calls <function> with the arguments, prints
its result as JSON on standard output, and unloads the plugin. A component without an
rdylib:abi section (not built with the SDK) is loaded unchecked, with a note on standard error.

<function> is \`interface#function\` (the interface by its full name, without its version, or
by its short name: \`rdylib-guest:kv/kv@0.1.0#fail\`, \`kv#fail\`), or just the function's name
when only one interface has it. Names in WIT (kebab-case) or camelCase.

Each argument is one JSON value (quote it for the shell: '"Ferris"', '{"x": 1}'): strings,
numbers (u64/s64 may be strings of digits), arrays for lists and tuples, objects for records,
{"tag": …, "val": …} for variants and results, strings for enums, null for an absent option.
Functions that take handles cannot be called from the command line.

Exit status: 0 the call returned; 1 it returned an error (result err, printed on standard
error as JSON), trapped or panicked, or the plugin did not load; 2 wrong usage.`,
  options: {},
  async run(parsed, io) {
    const [file, spec, ...rawArgs] = positionals(this, parsed.positionals, ['plugin.wasm', 'function'], true);
    const bytes = readComponentFile(file!);
    const type = compile(bytes).validated.type;
    const target = resolveFunction(spec!, callables(type.exports));
    const model = describeComponent(type);
    const scope = model.interfaces.find((i) => i.direction === 'export' && i.name === target.iface)?.names ?? model.world.names;
    const names = (ref: Parameters<typeof scope.resourceName>[0]) => scope.resourceName(ref);
    const params = target.type.params;
    if (rawArgs.length !== params.length) {
      throw new UsageError(
        `${callableName(target)} takes ${params.length} argument${params.length === 1 ? '' : 's'} (${params.map((p) => p.name).join(', ') || 'none'}), got ${rawArgs.length}`,
      );
    }
    const args = rawArgs.map((raw, i) => {
      const at = `argument ${i + 1} (\`${params[i]!.name}\`)`;
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        throw new UsageError(`${at}: ${JSON.stringify(raw)} is not JSON; a string needs quotes: '"${raw}"'`);
      }
      return fromJson(json, params[i]!.type, at, names);
    });

    const plugin = await loadForCall(bytes, file!, io.err);
    try {
      const ns = target.iface === undefined ? plugin.exports : (plugin.exports[target.iface] as Record<string, unknown>);
      const fn = (ns[camel(target.name)] ?? ns[target.name]) as (...a: unknown[]) => unknown;
      const result = target.type.result;
      try {
        const value = fn(...args);
        io.out(`${toJsonText(value, result?.kind === 'result' ? result.ok : result, names)}\n`);
        return 0;
      } catch (e) {
        if (!(e instanceof ResultError) || result?.kind !== 'result') throw e;
        io.err(`rdylib call: ${callableName(target)} returned an error: ${toJsonText(e.payload, result.err, names).replace(/\n\s*/g, ' ')}\n`);
        return 1;
      }
    } finally {
      await plugin.unload();
    }
  },
};
