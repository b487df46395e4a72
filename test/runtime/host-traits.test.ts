/**
 * A trait the host implements (the shapes plugin's `&mut dyn Canvas`) takes
 * any object with the trait's methods, as a Rust trait object takes any type
 * implementing the trait; a missing method is a MissingMethodError naming it,
 * before the plugin runs.
 */
import { describe, expect, it } from 'vitest';
import { load, MissingMethodError, type Plugin } from '../../host/index.ts';
import { guestPath } from '../support/guests.ts';
import { Canvas } from '../support/canvas.ts';
import type { Shapes } from '../support/example-apis.ts';

const CANVAS = 'rdylib-guest:shapes/canvas';
const SHAPES = 'rdylib-guest:shapes/shapes@0.1.0';

async function loadShapes(canvasImport: object): Promise<{ plugin: Plugin; api: Shapes }> {
  const plugin = await load(guestPath('shapes'), { name: 'shapes', imports: { [CANVAS]: canvasImport } });
  return { plugin, api: plugin.exports[SHAPES] as Shapes };
}

/** A canvas as an object literal: no class anywhere. */
function literalCanvas(lines: string[]): Record<string, unknown> {
  return {
    moveTo: (x: number, y: number) => lines.push(`M${x},${y}`),
    lineTo: (x: number, y: number) => lines.push(`L${x},${y}`),
    label: (text: string) => lines.push(`T${text}`),
    resolution: () => 1,
    setStyle: () => undefined,
    background: () => undefined,
  };
}

describe('host-implemented traits', () => {
  it('accepts a plain object with the methods when the import gives no class', async () => {
    const { plugin, api } = await loadShapes({});
    const lines: string[] = [];
    const square = api.rect(2, 2);
    expect(api.render(square, literalCanvas(lines))).toBeGreaterThan(0);
    expect(lines).toContain('L2,0');
    square[Symbol.dispose]();
    await plugin.unload();
  });

  it('accepts a plain object even when the import names a class, and instances of other classes', async () => {
    const { plugin, api } = await loadShapes({ Canvas });
    const square = api.rect(1, 1);
    const lines: string[] = [];
    api.render(square, literalCanvas(lines));
    class OtherCanvas extends Canvas {}
    const other = new OtherCanvas();
    api.render(square, other);
    expect(other.drawn().length).toBeGreaterThan(0);
    expect(lines).toEqual(other.drawn());
    square[Symbol.dispose]();
    await plugin.unload();
  });

  it('refuses an object that lacks methods with MissingMethodError naming each, before the plugin runs', async () => {
    const { plugin, api } = await loadShapes({});
    const square = api.rect(1, 1);
    const lines: string[] = [];
    const { label: _label, setStyle: _setStyle, ...partial } = literalCanvas(lines);
    let error: unknown;
    try {
      api.render(square, partial);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MissingMethodError);
    const e = error as MissingMethodError;
    expect(e.code).toBe('MISSING_METHOD');
    expect(e.resource).toBe('canvas');
    expect(e.missing).toEqual(['label', 'setStyle']);
    expect(e.message).toContain('has no method `label`, `setStyle`');
    expect(lines).toEqual([]); // nothing was drawn: the plugin was not entered
    // The plugin is not poisoned: a complete canvas works.
    api.render(square, literalCanvas(lines));
    expect(lines.length).toBeGreaterThan(0);
    square[Symbol.dispose]();
    await plugin.unload();
  });

  it('refuses a value that is not an object with a TypeError naming the methods needed', async () => {
    const { plugin, api } = await loadShapes({});
    const square = api.rect(1, 1);
    expect(() => api.render(square, 42 as unknown as object)).toThrow(/expected a canvas object \(any object with the methods moveTo, lineTo, label, resolution, setStyle, background\), got number/);
    square[Symbol.dispose]();
    await plugin.unload();
  });

  it('reports a method removed after the object was first passed, at its call', async () => {
    const { plugin, api } = await loadShapes({});
    const square = api.rect(1, 1);
    const canvas = literalCanvas([]);
    api.render(square, canvas);
    delete canvas.lineTo;
    // The plugin calls lineTo mid-draw: the host function throws, which traps the plugin.
    expect(() => api.render(square, canvas)).toThrow(/lineTo/);
    await plugin.unload();
  });

  it('in a worker-isolated plugin, refuses a trait object from the host thread, naming where to implement it', async () => {
    const plugin = await load(guestPath('shapes'), {
      name: 'shapes',
      isolate: 'worker',
      importsModule: new URL('./fixtures/shapes-imports.ts', import.meta.url),
    });
    try {
      const api = plugin.exports[SHAPES] as { rect(w: number, h: number): Promise<object>; render(s: object, c: object): Promise<number> };
      const square = await api.rect(1, 1);
      await expect(api.render(square, literalCanvas([]))).rejects.toThrow(/object with methods \(here `moveTo`\) cannot be passed to an isolated plugin: implement host traits inside the worker, in the module given as importsModule/);
    } finally {
      plugin.unload();
    }
  });
});
