/**
 * The JS shapes (jco's conventions, which our runtime follows) of the example
 * plugins' interfaces, for the tests that call them through either host
 * (test/sdk through jco, test/differential through both).
 */

// rdylib-guest:shapes (shapes and, through its import, consumer).
export interface Bounds {
  x: number;
  y: number;
  w: number;
  h: number;
}
export interface Color {
  r: number;
  g: number;
  b: number;
}
export type Style = { tag: 'stroke'; val: number } | { tag: 'fill'; val: Color } | { tag: 'dashed'; val: ArrayLike<number> };
export type Transform = { tag: 'translate'; val: [number, number] } | { tag: 'scale'; val: number } | { tag: 'mirror'; val: 'x' | 'y' };
export interface Shape {
  name(): string;
  area(): number;
  perimeter(): number;
  scale(factor: number): void;
  draw(canvas: object): void;
  bounds(): Bounds;
  transform(t: Transform): Bounds;
  [Symbol.dispose](): void;
}
export interface Shapes {
  circle(radius: number): Shape;
  rect(width: number, height: number): Shape;
  polygon(points: [number, number][]): Shape;
  describe(shape: Shape): string;
  render(shape: Shape, canvas: object): number;
  totalArea(shapes: Shape[]): number;
  paint(shape: Shape, style: Style, canvas: object): Style;
}

// rdylib-guest:consumer.
export interface Consumer {
  compactness(shape: Shape): number;
  summarize(shapes: Shape[]): { count: number; totalArea: number; largest: string | undefined };
  unionBounds(a: Shape, b: Shape): Bounds;
}

// rdylib-guest:registry.
export interface Unit {
  info(): { name: string; symbol: string; factor: number };
  symbol(): string;
  rescale(factor: number): void;
  [Symbol.dispose](): void;
}
export interface UnitRegistry {
  len(): number;
  isEmpty(): boolean;
  find(symbol: string): Unit | undefined;
  all(): Unit[];
  convert(value: number, from: string, to: string): number;
  [Symbol.dispose](): void;
}
export interface Registry {
  registry(): UnitRegistry;
}
