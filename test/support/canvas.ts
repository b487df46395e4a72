/**
 * The host side of the shapes example's imported Canvas trait: records every
 * call the plugin makes, in order. Shared by the jco-only tests (test/sdk)
 * and by both hosts in the differential tests.
 */
import type { Color, Style } from './example-apis.ts';

export type CanvasOp = ['M' | 'L', number, number] | ['T', string] | ['R'] | ['S', string, unknown] | ['B'];

export class Canvas {
  /** Called after each recorded `lineTo`: lets a test call back into the plugin mid-draw. */
  static onLine: ((x: number, y: number) => void) | undefined;
  readonly ops: CanvasOp[] = [];
  constructor(
    readonly res = 1,
    readonly bg: Color | undefined = undefined,
  ) {}
  moveTo(x: number, y: number): void {
    this.ops.push(['M', x, y]);
  }
  lineTo(x: number, y: number): void {
    this.ops.push(['L', x, y]);
    Canvas.onLine?.(x, y);
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

  /** What was drawn, compactly: `M0,0`, `L1,0`, `Tlabel`, `Sfill:{...}` (queries left out). */
  drawn(): string[] {
    const out: string[] = [];
    for (const op of this.ops) {
      if (op[0] === 'M' || op[0] === 'L') out.push(`${op[0]}${op[1]},${op[2]}`);
      else if (op[0] === 'T') out.push(`T${op[1]}`);
      else if (op[0] === 'S') out.push(`S${op[1]}:${JSON.stringify(op[2])}`);
    }
    return out;
  }
}
