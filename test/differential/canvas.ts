/** The host side of the shapes example's imported Canvas trait, shared by both hosts in the differential tests. */

type Op = ['M' | 'L', number, number] | ['T', string] | ['R'];

/** The host's Canvas: records every call the plugin makes, in order. */
export class Canvas {
  readonly ops: Op[] = [];
  constructor(readonly res: number) {}
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
}

