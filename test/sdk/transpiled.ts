/**
 * Instantiates an SDK-built plugin through jco's transpiled bindings, a host
 * that knows nothing of the rdylib:abi section: it lets a caller drop and
 * use handles in any order, which is what the soundness tests need. Each
 * call gives a fresh instance (after a trap an instance must not be reused)
 * and records what the plugin reported through its `rdylib-panic` import.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BorrowError, GuestPanicError } from '../../host/errors.ts';
import { PanicRecorder, RDYLIB_PANIC_IMPORT, panicError, type PanicReport } from '../../host/rdylib/panic.ts';
import { importTranspiled } from '../../scripts/lib/jco.ts';
import { readGuest, repoRoot } from '../support/guests.ts';

export type { PanicReport };

export interface TranspiledPlugin {
  exports: Record<string, unknown>;
  /** Every call the plugin made to its `rdylib-panic` import, in order. */
  panics: PanicReport[];
}

type Instantiate = (
  getCoreModule: (path: string) => Promise<WebAssembly.Module>,
  imports: Record<string, unknown>,
) => Promise<Record<string, unknown>>;

const modules = new Map<string, Promise<{ instantiate: Instantiate; dir: string }>>();

async function load(name: string): Promise<{ instantiate: Instantiate; dir: string }> {
  const dir = join(repoRoot, 'build', 'jco', `sdk-${name}`);
  const mod = (await importTranspiled(readGuest(name), { name, outDir: dir, instantiation: 'async' })) as unknown as { instantiate: Instantiate };
  return { instantiate: mod.instantiate, dir };
}

export async function instantiatePlugin(name: string, extraImports: Record<string, unknown> = {}): Promise<TranspiledPlugin> {
  let loaded = modules.get(name);
  if (!loaded) {
    loaded = load(name);
    modules.set(name, loaded);
  }
  const { instantiate, dir } = await loaded;
  const panics: PanicReport[] = [];
  const recorder = new PanicRecorder();
  const exports = await instantiate((path) => WebAssembly.compile(readFileSync(join(dir, path))), {
    [RDYLIB_PANIC_IMPORT]: {
      default: (message: string, file: string, line: number, column: number) => {
        recorder.report(message, file, line, column);
        panics.push(recorder.take()!);
      },
    },
    ...extraImports,
  });
  return { exports, panics };
}

/** Calls `f`, expecting the plugin to trap; returns the typed error its report makes. */
export function expectTypedTrap(plugin: TranspiledPlugin, f: () => unknown): GuestPanicError | BorrowError {
  let thrown: unknown;
  const report = expectTrap(plugin, () => {
    try {
      return f();
    } catch (e) {
      thrown = e;
      throw e;
    }
  });
  return panicError(report, thrown);
}

/** Calls `f`, expecting the plugin to trap; returns what it reported first. */
export function expectTrap(plugin: TranspiledPlugin, f: () => unknown): PanicReport {
  const before = plugin.panics.length;
  let threw: unknown;
  try {
    f();
  } catch (e) {
    threw = e;
  }
  if (!(threw instanceof WebAssembly.RuntimeError)) {
    throw new Error(`expected a wasm trap, got ${threw === undefined ? 'a normal return' : String(threw)}`);
  }
  const report = plugin.panics[before];
  if (!report) throw new Error(`the plugin trapped (${threw.message}) without reporting through rdylib-panic`);
  return report;
}
