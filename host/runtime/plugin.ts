/**
 * The public handle on one instantiation of a component: its exports in jco's
 * JS shape, and `unload()` after which every export and resource object
 * refuses use with UnloadedError.
 */
import { UnloadedError } from '../errors.ts';
import { PanicRecorder, RDYLIB_PANIC_IMPORT, panicError } from '../rdylib/panic.ts';
import type { ValidatedComponent } from '../validate/validate.ts';
import type { ComponentInstance } from './component-instance.ts';
import { instantiateValidated } from './instantiate.ts';
import { importsFromJs, type ImportObject } from './js-imports.ts';
import { exportsToJs, type ExportObject } from './js-exports.ts';

export class Plugin {
  /** Export name → function (top-level function exports) or interface object. */
  readonly exports: ExportObject;
  private unloaded = false;
  /** Every component instance of this instantiation (nested ones included). */
  readonly instances: readonly ComponentInstance[];

  constructor(
    readonly component: ValidatedComponent,
    imports: ImportObject = {},
    readonly name = 'plugin',
  ) {
    const all: ComponentInstance[] = [];
    // SDK plugins import `rdylib-panic` to report a panic before they trap;
    // the host supplies it unless the caller did, and turns the trap that
    // follows into a GuestPanicError (or a BorrowError the plugin detected).
    const panics = new PanicRecorder();
    const wantsPanicImport = component.type.imports.has(RDYLIB_PANIC_IMPORT) && !(RDYLIB_PANIC_IMPORT in imports);
    const supplied = wantsPanicImport ? { ...imports, [RDYLIB_PANIC_IMPORT]: panics.report } : imports;
    const args = importsFromJs(component.type.imports, supplied);
    const exports = instantiateValidated(component, undefined, args, name, all);
    this.instances = all;
    if (wantsPanicImport) {
      const explain = (trap: Error): Error | undefined => {
        const report = panics.take();
        return report === undefined ? undefined : panicError(report, trap.cause ?? trap);
      };
      for (const inst of all) inst.explainTrap = explain;
    }
    this.exports = exportsToJs(exports, {
      isUnloaded: () => this.unloaded,
      checkLoaded: () => {
        if (this.unloaded) throw new UnloadedError(`${this.name} was unloaded; its exports can no longer be called`);
      },
    });
  }

  get isUnloaded(): boolean {
    return this.unloaded;
  }

  /** Drops this instantiation: later calls into it throw UnloadedError. Idempotent. */
  unload(): void {
    this.unloaded = true;
  }
}
