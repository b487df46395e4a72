/**
 * Where a component's bytes go: its core modules (code) and its custom
 * sections (names, producers, debug information, rdylib's), read from the
 * parsed binary without running anything.
 */
import type { Component } from '../binary/ast.ts';
import { readTopLevelCustomSections } from '../rdylib/section.ts';

export interface CustomSectionSize {
  readonly name: string;
  readonly bytes: number;
  /** `component` for the component's own, else the core module (`core module 0`, or nested `component 1 / core module 0`). */
  readonly in: string;
}

export interface Sizes {
  readonly bytes: number;
  readonly coreModules: readonly { readonly at: string; readonly bytes: number }[];
  readonly customSections: readonly CustomSectionSize[];
}

export function sizesOf(component: Component, bytes: number): Sizes {
  const coreModules: { at: string; bytes: number }[] = [];
  const customSections: CustomSectionSize[] = component.customSections.map((s) => ({ name: s.name, bytes: s.data.length, in: 'component' }));
  const walk = (c: Component, prefix: string): void => {
    let modules = 0;
    let components = 0;
    for (const d of c.definitions) {
      if (d.kind === 'core-module') {
        const at = `${prefix}core module ${modules++}`;
        coreModules.push({ at, bytes: d.bytes.length });
        for (const s of readTopLevelCustomSections(d.bytes)) customSections.push({ name: s.name, bytes: s.data.length, in: at });
      } else if (d.kind === 'component') {
        walk(d.component, `${prefix}component ${components++} / `);
      }
    }
  };
  walk(component, '');
  return { bytes, coreModules, customSections };
}
