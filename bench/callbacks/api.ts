/**
 * The JS shapes of the shapes and consumer examples as the callback cases use
 * them, in jco's conventions: trait objects the plugin returns are resources
 * (classes with `[Symbol.dispose]`), a trait the host implements is any object
 * with the trait's methods (camelCase).
 */

export const SHAPES_INTERFACE = 'rdylib-guest:shapes/shapes@0.1.0';
export const SHAPE_INTERFACE = 'rdylib-guest:shapes/shape@0.1.0';
export const CONSUMER_INTERFACE = 'rdylib-guest:consumer/consumer@0.1.0';
/** The canvas import, keyed as both hosts take it. */
export const CANVAS_IMPORT = 'rdylib-guest:shapes/canvas';
/** The consumer's import of the shapes plugin's `shape` interface. */
export const SHAPE_IMPORT = 'rdylib-guest:shapes/shape';

export interface Bounds {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** A plugin trait object (`Box<dyn Shape>`), as the host holds it. */
export interface Shape {
  area(): number;
  bounds(): Bounds;
  [Symbol.dispose](): void;
}

/** The methods of the host-implemented `Canvas` trait the cases exercise (the rest are inert). */
export interface CanvasLike {
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  label(text: string): void;
  resolution(): number;
  setStyle(style: unknown): void;
  background(): undefined;
}

export interface ShapesApi {
  circle(radius: number): Shape;
  polygon(points: [number, number][]): Shape;
  /** Draws `shape` on `canvas`: one `lineTo` per polygon point. */
  render(shape: Shape, canvas: CanvasLike): number;
}

export interface ConsumerApi {
  /** Calls the shape's `perimeter()` and `area()`, in the shapes plugin. */
  compactness(shape: Shape): number;
}

/** One column's instances: shapes, and consumer linked to that shapes. */
export interface CallbacksApi {
  readonly shapes: ShapesApi;
  readonly consumer: ConsumerApi;
  /** A host canvas as this column passes it (jco wants an instance of the class it was given). */
  newCanvas(): CountingCanvas;
}

/** A host canvas that sums what it is told, so its work is real and checkable. */
export class CountingCanvas implements CanvasLike {
  lines = 0;
  sum = 0;
  moveTo(x: number, y: number): void {
    this.sum += x + y;
  }
  lineTo(x: number, y: number): void {
    this.lines++;
    this.sum += x + y;
  }
  label(_text: string): void {}
  resolution(): number {
    return 1;
  }
  setStyle(_style: unknown): void {}
  background(): undefined {
    return undefined;
  }
}
