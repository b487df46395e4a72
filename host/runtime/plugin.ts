/**
 * The public handle on one instantiation of a component: its exports in jco's
 * JS shape, and `unload()` after which every export and resource object
 * refuses use with UnloadedError.
 */
import { UnloadedError } from '../errors.ts';
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
    const args = importsFromJs(component.type.imports, imports);
    const exports = instantiateValidated(component, undefined, args, name, all);
    this.instances = all;
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
