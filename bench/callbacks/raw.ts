/**
 * The raw column for the callback cases: the shapes and consumer examples'
 * main core modules instantiated alone and wired to each other and to the
 * host canvas by hand, with glue specialised to the calls the cases make.
 *
 * - host -> plugin trait object: `[method]shape.area` / `.bounds` take the
 *   shape's rep (the callee defines the resource); bounds come back in a
 *   return area of four f64.
 * - plugin -> host trait: `render(shape, canvas)` lends the canvas as a
 *   handle in a table of host objects for the call; the shapes module's
 *   `[method]canvas.line-to` import is a JS function that looks the object up
 *   and calls it: the least a host can do per callback.
 * - plugin -> plugin: the consumer's imports `[method]shape.perimeter` /
 *   `.area` map the consumer's borrow handle to the shapes rep and call the
 *   shapes module's export directly (no JS value conversion: both sides are
 *   f64 and i32).
 */
import { coreModuleExporting } from '../core-modules.ts';
import { HandleTable } from '../raw-handles.ts';
import { loadUtf8, MemoryViews, panicImport } from '../raw-strings.ts';
import type { Bounds, CallbacksApi, CanvasLike, ConsumerApi, Shape, ShapesApi } from './api.ts';
import { CountingCanvas } from './api.ts';

const SHAPE = 'rdylib-guest:shapes/shape@0.1.0';
const SHAPES = 'rdylib-guest:shapes/shapes@0.1.0';
const CANVAS = 'rdylib-guest:shapes/canvas@0.1.0';
const CONSUMER = 'rdylib-guest:consumer/consumer@0.1.0';

type CoreExports = Record<string, unknown> & { memory: WebAssembly.Memory; cabi_realloc(a: number, b: number, c: number, d: number): number };

function exportFn<F>(core: CoreExports, name: string): F {
  const f = core[name];
  if (typeof f !== 'function') throw new Error(`core module does not export ${name}`);
  return f as F;
}

/** An import the cases never reach: reaching it means the glue is wrong. */
const unused = (name: string) => (): never => {
  throw new Error(`raw glue: ${name} is not used by the bench cases`);
};

export interface RawCallbackModules {
  readonly shapes: WebAssembly.Module;
  readonly consumer: WebAssembly.Module;
}

export function callbackCoreModules(shapes: Uint8Array, consumer: Uint8Array): RawCallbackModules {
  return { shapes: coreModuleExporting(shapes, `${SHAPES}#render`), consumer: coreModuleExporting(consumer, `${CONSUMER}#compactness`) };
}

export async function instantiateRawCallbacks(modules: RawCallbackModules): Promise<CallbacksApi> {
  // --- shapes ---
  const shapeReps = new HandleTable<number>();
  const canvases = new HandleTable<CanvasLike>();
  let shapesMemory: WebAssembly.Memory | undefined;
  let shapesViews: MemoryViews | undefined;
  let shapeDtor: (rep: number) => void = () => {};
  const shapesInstance = await WebAssembly.instantiate(modules.shapes, {
    $root: panicImport(() => shapesMemory!),
    [`[export]${SHAPE}`]: {
      '[resource-new]shape': (rep: number) => shapeReps.add(rep),
      '[resource-rep]shape': (handle: number) => shapeReps.get(handle),
      '[resource-drop]shape': (handle: number) => shapeDtor(shapeReps.take(handle)),
    },
    [CANVAS]: {
      '[method]canvas.move-to': (h: number, x: number, y: number) => canvases.get(h).moveTo(x, y),
      '[method]canvas.line-to': (h: number, x: number, y: number) => canvases.get(h).lineTo(x, y),
      '[method]canvas.label': (h: number, ptr: number, len: number) => canvases.get(h).label(loadUtf8(shapesViews!, ptr, len)),
      '[method]canvas.resolution': (h: number) => canvases.get(h).resolution(),
      '[method]canvas.set-style': unused('[method]canvas.set-style'),
      '[method]canvas.background': unused('[method]canvas.background'),
      // The canvas is only ever lent (borrow<canvas>): the guest drops its
      // borrow handle when done with it, which ends the loan; `render` below
      // frees the table entry when the call returns.
      '[resource-drop]canvas': () => {},
    },
  });
  const shapes = shapesInstance.exports as CoreExports;
  shapesMemory = shapes.memory;
  const views = new MemoryViews(shapes.memory);
  shapesViews = views;
  shapeDtor = exportFn(shapes, `${SHAPE}#[dtor]shape`);
  const area = exportFn<(rep: number) => number>(shapes, `${SHAPE}#[method]shape.area`);
  const perimeter = exportFn<(rep: number) => number>(shapes, `${SHAPE}#[method]shape.perimeter`);
  const bounds = exportFn<(rep: number) => number>(shapes, `${SHAPE}#[method]shape.bounds`);
  const circle = exportFn<(r: number) => number>(shapes, `${SHAPES}#circle`);
  const polygon = exportFn<(ptr: number, len: number) => number>(shapes, `${SHAPES}#polygon`);
  const polygonPost = exportFn<(ret: number) => void>(shapes, `cabi_post_${SHAPES}#polygon`);
  const render = exportFn<(shapeRep: number, canvas: number) => number>(shapes, `${SHAPES}#render`);

  class RawShape implements Shape {
    #handle: number;
    constructor(handle: number) {
      this.#handle = handle;
    }
    /** The rep, for lending to the shapes module or to the consumer. */
    get rep(): number {
      return shapeReps.get(this.#handle);
    }
    area(): number {
      return area(shapeReps.get(this.#handle));
    }
    bounds(): Bounds {
      const ret = bounds(shapeReps.get(this.#handle));
      const dv = views.dataView();
      return { x: dv.getFloat64(ret, true), y: dv.getFloat64(ret + 8, true), w: dv.getFloat64(ret + 16, true), h: dv.getFloat64(ret + 24, true) };
    }
    [Symbol.dispose](): void {
      if (this.#handle === 0) return;
      const handle = this.#handle;
      this.#handle = 0;
      shapeDtor(shapeReps.take(handle));
    }
  }

  const shapesApi: ShapesApi = {
    circle: (radius) => new RawShape(circle(radius)),
    polygon(points) {
      // list<tuple<f64, f64>>: 16 bytes per element, align 8.
      const ptr = shapes.cabi_realloc(0, 0, 8, points.length * 16);
      const f64 = new Float64Array(shapes.memory.buffer, ptr, points.length * 2);
      points.forEach(([x, y], i) => {
        f64[2 * i] = x;
        f64[2 * i + 1] = y;
      });
      const ret = polygon(ptr, points.length);
      const dv = views.dataView();
      // result<shape, string>: discriminant byte, then the handle or (ptr, len).
      const ok = dv.getUint8(ret) === 0;
      const handle = dv.getUint32(ret + 4, true);
      const error = ok ? '' : loadUtf8(views, handle, dv.getUint32(ret + 8, true));
      polygonPost(ret);
      if (!ok) throw new Error(error);
      return new RawShape(handle);
    },
    render(shape, canvas) {
      const lent = canvases.add(canvas);
      try {
        return render((shape as RawShape).rep, lent) >>> 0;
      } finally {
        canvases.take(lent);
      }
    },
  };

  // --- consumer, linked to shapes ---
  const lentShapes = new HandleTable<number>(); // consumer handle -> shapes rep
  let consumerMemory: WebAssembly.Memory | undefined;
  const consumerInstance = await WebAssembly.instantiate(modules.consumer, {
    $root: panicImport(() => consumerMemory!),
    [SHAPE]: {
      '[method]shape.area': (h: number) => area(lentShapes.get(h)),
      '[method]shape.perimeter': (h: number) => perimeter(lentShapes.get(h)),
      '[method]shape.name': unused('[method]shape.name'),
      '[method]shape.bounds': unused('[method]shape.bounds'),
      // The consumer drops its borrow handle when done (ends the loan); `compactness` frees the entry.
      '[resource-drop]shape': () => {},
    },
  });
  const consumer = consumerInstance.exports as CoreExports;
  consumerMemory = consumer.memory;
  const compactness = exportFn<(h: number) => number>(consumer, `${CONSUMER}#compactness`);
  const consumerApi: ConsumerApi = {
    compactness(shape) {
      const lent = lentShapes.add((shape as RawShape).rep);
      try {
        return compactness(lent);
      } finally {
        lentShapes.take(lent);
      }
    },
  };

  return { shapes: shapesApi, consumer: consumerApi, newCanvas: () => new CountingCanvas() };
}
