/** The host side of the shapes example's imported Canvas trait, shared by both hosts in the differential tests. */

export interface Color {
  r: number;
  g: number;
  b: number;
}
export type Style = { tag: 'stroke'; val: number } | { tag: 'fill'; val: Color } | { tag: 'dashed'; val: ArrayLike<number> };

type Op = ['M' | 'L', number, number] | ['T', string] | ['R'] | ['S', string, unknown] | ['B'];

/** The host's Canvas: records every call the plugin makes, in order. */
export class Canvas {
  readonly ops: Op[] = [];
  constructor(
    readonly res: number,
    readonly bg: Color | undefined = undefined,
  ) {}
  moveTo(x: number, y: number): void {
    this.ops.push(['M', x, y]);
  }
  lineTo(x: number, y: number): void {
    this.ops.push(['L', x, y]);
  }
  label(text: string): void {
    this.ops.push(['T', text]);
  }
  resolution(): number {
    this.ops.push(['R']);
    return this.res;
  }
  setStyle(style: Style): void {
    // A list<f64> payload may arrive as a typed array (jco) or an array: recorded as an array.
    this.ops.push(['S', style.tag, style.tag === 'dashed' ? Array.from(style.val) : style.val]);
  }
  background(): Color | undefined {
    this.ops.push(['B']);
    return this.bg;
  }
}

