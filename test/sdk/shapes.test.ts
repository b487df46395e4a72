import { describe, expect, it } from 'vitest';
import { readRdylibAbi } from '../../host/rdylib/section.ts';
import { readGuest } from '../support/guests.ts';
import { expectTrap, instantiatePlugin, type TranspiledPlugin } from './transpiled.ts';

interface Shape {
  name(): string;
  area(): number;
  perimeter(): number;
  scale(factor: number): void;
  draw(canvas: object): void;
  [Symbol.dispose](): void;
}
interface Shapes {
  circle(radius: number): Shape;
  rect(width: number, height: number): Shape;
  polygon(points: [number, number][]): Shape;
  describe(shape: Shape): string;
  render(shape: Shape, canvas: object): number;
  totalArea(shapes: Shape[]): number;
}

/** The host's Canvas implementation: records what the plugin draws. */
class Canvas {
  static onLine: ((x: number, y: number) => void) | undefined;
  ops: string[] = [];
  constructor(readonly res = 1) {}
  moveTo(x: number, y: number): void {
    this.ops.push(`M${x},${y}`);
  }
  lineTo(x: number, y: number): void {
    this.ops.push(`L${x},${y}`);
    Canvas.onLine?.(x, y);
  }
  label(text: string): void {
    this.ops.push(`T${text}`);
  }
  resolution(): number {
    return this.res;
  }
}

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
    });
    const shape = new Map(byName.get('rdylib-guest:shapes/shape@0.1.0')!.functions.map((f) => [f.name, f.receiver]));
    expect(shape.get('[method]shape.area')).toBe('shared');
    expect(shape.get('[method]shape.scale')).toBe('exclusive');
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
    expect(canvas.ops).toEqual(['Tbegin', 'M0,0', 'L1,0', 'L1,1', 'L0,1', 'L0,0', 'Trect', 'Tend']);
    // Through the trait object's own method too; the circle asks the canvas for its resolution.
    const fine = new Canvas(0.5);
    api.circle(2).draw(fine);
    expect(fine.ops.filter((op) => op.startsWith('L'))).toHaveLength(26);
    expect(fine.ops.at(-1)).toBe('Tcircle');
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
    expect(canvas.ops).toEqual(['Tbegin', 'M0,0', 'L2,0', 'L2,2', 'L0,2', 'L0,0', 'Trect', 'Tend']);
  });

  it('a shape consumed by total-area cannot be used again: jco refuses the dead handle', async () => {
    const { api } = await loadShapes();
    const s = api.rect(1, 1);
    expect(api.totalArea([s])).toBe(1);
    expect(() => s.area()).toThrow();
  });
});
