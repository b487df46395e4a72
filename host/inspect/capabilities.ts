/**
 * What each import of a component asks of the host, in the words of
 * `load`'s options: a WASI interface and the grant that provides it
 * (host/wasi/capabilities.ts), rdylib's panic hook, or an interface the
 * caller implements (passed in `imports`, or served by `link`).
 */
import type { RdylibAbi } from '../rdylib/section.ts';
import type { WorldItem } from './model.ts';

/** Who provides an import when the component is loaded. */
export type ImportProvider =
  /** WASI with no authority (io, cli environment/stdio/exit): always granted, empty or discarded unless configured. */
  | { readonly kind: 'wasi'; readonly capability: string; readonly grant: 'always' }
  /** WASI that gives authority: granted only by this `load` option. */
  | { readonly kind: 'wasi'; readonly capability: string; readonly grant: 'option'; readonly option: 'clocks' | 'random' | 'preopens' }
  /** WASI rdylib never grants (network): the load fails. */
  | { readonly kind: 'wasi'; readonly capability: string; readonly grant: 'never' }
  /** `rdylib-panic`: supplied by the host itself. */
  | { readonly kind: 'rdylib-panic' }
  /** A trait the plugin calls back into: implemented by the caller (its rdylib:abi section says so). */
  | { readonly kind: 'host-trait'; readonly resources: readonly string[] }
  /** Anything else: the caller passes it in `imports`, or a linked plugin exports it. */
  | { readonly kind: 'caller' };

export interface ImportItem {
  readonly name: string;
  readonly sort: WorldItem['kind'];
  readonly provider: ImportProvider;
}

const WASI = /^wasi:([a-z][a-z0-9-]*)\/([a-z][a-z0-9-]*)(?:@.*)?$/;

export function importProvider(name: string, abi: RdylibAbi | undefined): ImportProvider {
  if (name === 'rdylib-panic') return { kind: 'rdylib-panic' };
  const wasi = WASI.exec(name);
  if (wasi) {
    const capability = `wasi:${wasi[1]}/${wasi[2]}`;
    switch (wasi[1]) {
      case 'clocks':
        return { kind: 'wasi', capability, grant: 'option', option: 'clocks' };
      case 'random':
        return { kind: 'wasi', capability, grant: 'option', option: 'random' };
      case 'filesystem':
        return { kind: 'wasi', capability, grant: 'option', option: 'preopens' };
      case 'io':
      case 'cli':
        return { kind: 'wasi', capability, grant: 'always' };
      default:
        return { kind: 'wasi', capability, grant: 'never' };
    }
  }
  const trait = abi?.interfaces.find((i) => i.name === name && i.direction === 'import');
  if (trait) return { kind: 'host-trait', resources: trait.resources.map((r) => r.name) };
  return { kind: 'caller' };
}

/** One line saying who provides the import. */
export function describeProvider(p: ImportProvider): string {
  switch (p.kind) {
    case 'wasi':
      if (p.grant === 'always') return `${p.capability}: always granted (no authority)`;
      if (p.grant === 'option') return `${p.capability}: needs the \`${p.option}\` grant`;
      return `${p.capability}: not offered by rdylib (the load fails)`;
    case 'rdylib-panic':
      return 'panic reports: supplied by the host';
    case 'host-trait':
      return `implemented by the caller: pass ${p.resources.map((r) => `\`${r}\``).join(', ')} in \`imports\` (or \`link\` a plugin exporting it)`;
    case 'caller':
      return 'supplied by the caller in `imports` (or by a `link`ed plugin)';
  }
}
