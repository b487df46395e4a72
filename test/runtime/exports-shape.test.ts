/**
 * The object core-module-facts.ts keeps per core module from its second instantiation on, so that V8
 * keeps the hidden class of its instances' exports objects across full GCs (`exportsShape`), gets
 * that class, for every core module of the shapes and types examples, and holds nothing of any
 * instance; a module instantiated once gets none: in a child process
 * with --expose-gc and V8's natives syntax (exports-shape-gc.ts). Should V8 build exports objects
 * another way, this fails, and the object only costs its memory.
 */
import { describe, expect, it } from 'vitest';
import { nativesChildReport } from '../support/natives-child.ts';

describe('core exports objects hidden class anchor (child process)', () => {
  it('is made at the second instantiation, has the class of every core instance exports object then and after full GCs, and holds no export', async () => {
    const report = (await nativesChildReport(new URL('./exports-shape-gc.ts', import.meta.url))) as Record<
      string,
      { keptAfterFirst: boolean; second: { exports: number; same: boolean }[]; third: unknown[]; sameModules: boolean; holdsNoExport: boolean }
    >;
    for (const name of ['shapes', 'types']) {
      const r = report[name]!;
      expect(r.keptAfterFirst).toBe(false);
      // wit-component's main module, shim and fixup.
      expect(r.second.length).toBe(3);
      expect(r.second.every((row) => row.same)).toBe(true);
      expect(r.third).toEqual(r.second);
      expect(r.sameModules).toBe(true);
      expect(r.holdsNoExport).toBe(true);
    }
    // The shapes shim exports only index-like names; the main modules export dozens.
    expect(report.shapes!.second.some((row) => row.exports > 20)).toBe(true);
  });
});
