import { describe, expect, it } from 'vitest';
import { readRdylibAbi } from '../../host/rdylib/section.ts';
import { readFileSync } from 'node:fs';
import { guestPath, readGuest } from '../support/guests.ts';
import { expectTrap, instantiatePlugin, type TranspiledPlugin } from './transpiled.ts';
import { Canvas } from '../support/canvas.ts';
import type { Shapes } from '../support/example-apis.ts';

async function loadShapes(): Promise<{ plugin: TranspiledPlugin; api: Shapes }> {
  const plugin = await instantiatePlugin('shapes', { 'rdylib-guest:shapes/canvas': { Canvas } });
  return { plugin, api: plugin.exports['shapes'] as Shapes };
}

describe('shapes: the rdylib:abi section', () => {
  const abi = readRdylibAbi(readGuest('shapes'))!;
  const byName = new Map(abi.interfaces.map((i) => [i.name, i]));

  it('makes a trait returned as Box<dyn T> an exported interface, and a trait only taken as &dyn T an import', () => {
    expect(abi.interfaces.map((i) => [i.name, i.direction])).toEqual([
      ['rdylib-guest:shapes/canvas@0.1.0', 'import'],
      ['rdylib-guest:shapes/shape@0.1.0', 'export'],
      ['rdylib-guest:shapes/shapes@0.1.0', 'export'],
    ]);
  });

  it('records the receivers of both traits, the imported one from the caller\'s side', () => {
    const canvas = new Map(byName.get('rdylib-guest:shapes/canvas@0.1.0')!.functions.map((f) => [f.name, f.receiver]));
    expect(Object.fromEntries(canvas)).toEqual({
      '[method]canvas.move-to': 'exclusive',
      '[method]canvas.line-to': 'exclusive',
      '[method]canvas.label': 'exclusive',
      '[method]canvas.resolution': 'shared',
      '[method]canvas.set-style': 'exclusive',
      '[method]canvas.background': 'shared',
    });
    const shape = new Map(byName.get('rdylib-guest:shapes/shape@0.1.0')!.functions.map((f) => [f.name, f.receiver]));
    expect(shape.get('[method]shape.area')).toBe('shared');
    expect(shape.get('[method]shape.scale')).toBe('exclusive');
    expect(shape.get('[method]shape.bounds')).toBe('shared');
    expect(shape.get('[method]shape.transform')).toBe('exclusive');
  });

  it('defines each module type in the interface of the trait that uses it; the module interface uses it from there', () => {
    // The WIT the macro derived (written beside the component by the build).
    const wit = readFileSync(guestPath('shapes').replace(/\.wasm$/, '.wit'), 'utf8');
    const body = (iface: string): string => wit.match(new RegExp(`interface ${iface} \\{([\\s\\S]*?)\\n\\}`))![1]!;
    // The imported Canvas's types, in its own interface.
    expect(body('canvas')).toMatch(/record color \{/);
    expect(body('canvas')).toMatch(/variant style \{/);
    expect(body('canvas')).toMatch(/set-style: func\(style: style\);/);
    expect(body('canvas')).toMatch(/background: func\(\) -> option<color>;/);
    // The exported Shape's types, in its interface; it uses Canvas's resource.
    expect(body('shape')).toMatch(/record bounds \{/);
    expect(body('shape')).toMatch(/variant transform \{/);
    expect(body('shape')).toMatch(/enum axis \{/);
    expect(body('shape')).toMatch(/transform: func\(t: transform\) -> result<bounds, string>;/);
    expect(body('shapes')).not.toMatch(/record |variant |enum /);
    expect(body('shapes')).toMatch(/use canvas\.\{canvas, color, style\};/);
    expect(body('shapes')).toMatch(/use shape\.\{shape, axis, bounds, transform\};/);
    expect(body('shapes')).toMatch(/paint: func\(shape: borrow<shape>, style: style, canvas: borrow<canvas>\) -> style;/);
  });

  it('records Box<dyn Shape> results as owned handles, also inside a result', () => {
    const fns = new Map(byName.get('rdylib-guest:shapes/shapes@0.1.0')!.functions.map((f) => [f.name, f]));
    expect(fns.get('circle')?.results).toEqual([{ path: [], resource: 'shape', lifetime: 'owned' }]);
    expect(fns.get('polygon')?.results).toEqual([{ path: ['ok'], resource: 'shape', lifetime: 'owned' }]);
  });
});

describe('shapes through jco transpile', () => {
  it('returns trait objects the host calls', async () => {
    const { api } = await loadShapes();
    const r = api.rect(3, 4);
    expect(r.name()).toBe('rect');
    expect(r.area()).toBe(12);
    r.scale(2);
    expect(r.perimeter()).toBe(28);
    expect(api.describe(r)).toBe('rect (area 48.00, perimeter 28.00)');
    expect(api.circle(1).area()).toBeCloseTo(Math.PI, 12);
    expect(() => api.polygon([[0, 0]])).toThrow(expect.objectContaining({ payload: 'a polygon needs at least 3 points, got 1' }));
    expect(api.polygon([[0, 0], [4, 0], [0, 3]]).area()).toBe(6);
    expect(api.totalArea([api.rect(1, 2), api.rect(2, 2)])).toBe(6);
  });

  it('calls a host-implemented Canvas passed as &mut dyn Canvas', async () => {
    const { api } = await loadShapes();
    const canvas = new Canvas();
    expect(api.render(api.rect(1, 1), canvas)).toBe(1);
    expect(canvas.drawn()).toEqual(['Tbegin', 'M0,0', 'L1,0', 'L1,1', 'L0,1', 'L0,0', 'Trect', 'Tend']);
    // Through the trait object's own method too; the circle asks the canvas for its resolution.
    const fine = new Canvas(0.5);
    api.circle(2).draw(fine);
    expect(fine.drawn().filter((op) => op.startsWith('L'))).toHaveLength(26);
    expect(fine.drawn().at(-1)).toBe('Tcircle');
  });

  it('trait methods take and return the module\'s records and variants', async () => {
    const { api } = await loadShapes();
    const c = api.circle(2);
    expect(c.bounds()).toEqual({ x: -2, y: -2, w: 4, h: 4 });
    expect(c.transform({ tag: 'translate', val: [1, 3] })).toEqual({ x: -1, y: 1, w: 4, h: 4 });
    expect(c.transform({ tag: 'mirror', val: 'x' })).toEqual({ x: -1, y: -5, w: 4, h: 4 });
    expect(c.transform({ tag: 'scale', val: 0.5 })).toEqual({ x: -0.5, y: -2.5, w: 2, h: 2 });
    // The error side of the result; the shape is left as it was.
    expect(() => c.transform({ tag: 'scale', val: Infinity })).toThrow(
      expect.objectContaining({ payload: 'a transform needs finite numbers, got Scale(inf)' }),
    );
    expect(c.bounds()).toEqual({ x: -0.5, y: -2.5, w: 2, h: 2 });
    const p = api.polygon([[0, 0], [4, 0], [0, 3]]);
    expect(p.transform({ tag: 'mirror', val: 'y' })).toEqual({ x: -4, y: 0, w: 4, h: 3 });
    expect(p.area()).toBe(6);
    // A translated circle draws around its new centre.
    const canvas = new Canvas();
    c.draw(canvas);
    expect(canvas.drawn()[0]).toBe('M1.5,-1.5');
  });

  it('passes the module\'s variants and records to the host-implemented Canvas, and reads one back', async () => {
    const { api } = await loadShapes();
    const plain = new Canvas();
    const red = { r: 255, g: 0, b: 0 };
    expect(api.paint(api.rect(1, 1), { tag: 'fill', val: red }, plain)).toEqual({ tag: 'fill', val: red });
    expect(plain.drawn()).toEqual(['Sfill:{"r":255,"g":0,"b":0}', 'M0,0', 'L1,0', 'L1,1', 'L0,1', 'L0,0', 'Trect']);
    // The canvas's background (an option<color> the host returns) turns an invisible fill into an outline.
    const onRed = new Canvas(1, red);
    expect(api.paint(api.rect(1, 1), { tag: 'fill', val: red }, onRed)).toEqual({ tag: 'stroke', val: 1 });
    expect(onRed.drawn()[0]).toBe('Sstroke:1');
    // A payload with a list: wit-bindgen lends the whole variant to the import.
    const dashed = new Canvas();
    const used = api.paint(api.circle(1), { tag: 'dashed', val: [0.5, 0.25] }, dashed);
    expect(used.tag).toBe('dashed');
    expect(Array.from((used as { val: ArrayLike<number> }).val)).toEqual([0.5, 0.25]);
    expect(dashed.drawn()[0]).toBe('Sdashed:[0.5,0.25]');
    expect(dashed.drawn().at(-1)).toBe('Tcircle');
  });

  it('a host callback that mutates the shape being drawn traps instead of aliasing', async () => {
    const { plugin, api } = await loadShapes();
    const shape = api.rect(1, 1);
    Canvas.onLine = () => shape.scale(10);
    try {
      const report = expectTrap(plugin, () => api.render(shape, new Canvas()));
      expect(report.message).toContain('`shape.scale` needs exclusive access to `shape`');
    } finally {
      Canvas.onLine = undefined;
    }
  });

  it('a host callback that drops the shape being drawn does not free it mid-call', async () => {
    const { api } = await loadShapes();
    const shape = api.rect(2, 2);
    // jco does not stop a handle from being dropped while it is lent to a call;
    // the plugin's call guard keeps the value alive until the call returns.
    Canvas.onLine = () => {
      Canvas.onLine = undefined;
      shape[Symbol.dispose]();
      // Allocate in the plugin: freed memory would be reused here.
      for (let i = 0; i < 20; i++) api.polygon([[9, 9], [99, 9], [9, 99]]);
    };
    const canvas = new Canvas();
    try {
      expect(api.render(shape, canvas)).toBe(1);
    } finally {
      Canvas.onLine = undefined;
    }
    expect(canvas.drawn()).toEqual(['Tbegin', 'M0,0', 'L2,0', 'L2,2', 'L0,2', 'L0,0', 'Trect', 'Tend']);
  });

  it('a shape consumed by total-area cannot be used again: jco refuses the dead handle', async () => {
    const { api } = await loadShapes();
    const s = api.rect(1, 1);
    expect(api.totalArea([s])).toBe(1);
    expect(() => s.area()).toThrow();
  });
});
