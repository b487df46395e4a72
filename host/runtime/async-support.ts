/**
 * What validation accepts but this runtime cannot run yet: the async ABI
 * (async lift and lower, async function types), the async, error-context and
 * thread built-ins, and values of `stream`, `future` and `error-context` type.
 * A component that uses any of them is refused at instantiation, before any of
 * its code runs, with `LoadError('unsupported')` naming the first such item —
 * never accepted and then failing mid-call. Each item leaves this list as the
 * runtime gains it (issue 13).
 */
import { LoadError } from '../errors.ts';
import type { FuncType, ValType } from '../types.ts';
import type { ValidatedComponent } from '../validate/validate.ts';

/** Throws `LoadError('unsupported')` for the first item of `vc` (or a component nested in it) the runtime lacks. */
export function refuseUnimplementedAsync(vc: ValidatedComponent): void {
  const defs = vc.ast.definitions;
  vc.info.forEach((info, i) => {
    const off = defs[i]!.offset;
    switch (info.kind) {
      case 'component':
        refuseUnimplementedAsync(info.component);
        break;
      case 'builtin':
        if (info.builtin.kind.startsWith('stream.') || info.builtin.kind.startsWith('future.')) refuse(`the canonical built-in \`${info.builtin.kind}\``, off);
        break;
      case 'lift':
      case 'lower': {
        const why = asyncInFuncType(info.type);
        if (why !== undefined) refuse(`\`canon ${info.kind}\` of ${why}`, off);
        break;
      }
      default:
        break;
    }
  });
}

function refuse(what: string, offset: number): never {
  throw new LoadError('unsupported', `${what} is not supported by this host yet (the async runtime is not implemented)`, offset);
}

/** Why a function type needs the async runtime, if it does. */
function asyncInFuncType(ft: FuncType): string | undefined {
  for (const t of [...ft.params.map((p) => p.type), ft.result]) {
    const k = t === undefined ? undefined : asyncValueKind(t);
    if (k !== undefined) return `a function type passing \`${k}\` values`;
  }
  return undefined;
}

function asyncValueKind(t: ValType): 'stream' | 'future' | 'error-context' | undefined {
  switch (t.kind) {
    case 'stream':
    case 'future':
    case 'error-context':
      return t.kind;
    case 'list':
      return asyncValueKind(t.element);
    case 'option':
      return asyncValueKind(t.type);
    case 'record':
      return first(t.fields.map((f) => f.type));
    case 'tuple':
      return first(t.types);
    case 'variant':
      return first(t.cases.map((c) => c.type));
    case 'result':
      return first([t.ok, t.err]);
    default:
      return undefined;
  }
}

function first(ts: readonly (ValType | undefined)[]): 'stream' | 'future' | 'error-context' | undefined {
  for (const t of ts) {
    const k = t === undefined ? undefined : asyncValueKind(t);
    if (k !== undefined) return k;
  }
  return undefined;
}
