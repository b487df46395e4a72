/**
 * The page's implementation of the shapes example's imported `Canvas`
 * trait: the plugin calls these methods while drawing, and the page shows
 * the drawing as SVG. Any object with these methods would do (rdylib passes
 * it to the plugin as a host-implemented resource).
 */

interface Color {
  r: number;
  g: number;
  b: number;
}
type Style = { tag: 'stroke'; val: number } | { tag: 'fill'; val: Color } | { tag: 'dashed'; val: ArrayLike<number> };

interface Stroke {
  d: string;
  style: Style;
}

export class SvgCanvas {
  /** Each drawing since the last `clear()`: one path per style in effect. */
  #strokes: Stroke[] = [];
  #labels: { x: number; y: number; text: string }[] = [];
  #at: [number, number] = [0, 0];
  #style: Style = { tag: 'stroke', val: 1 };
  #points: [number, number][] = [];
  /** Calls made on it, for the log: `moveTo`, `lineTo`, … */
  calls = 0;

  moveTo(x: number, y: number): void {
    this.#current().d += `M${x} ${y}`;
    this.#move(x, y);
  }

  lineTo(x: number, y: number): void {
    this.#current().d += `L${x} ${y}`;
    this.#move(x, y);
  }

  label(text: string): void {
    this.calls++;
    this.#labels.push({ x: this.#at[0], y: this.#at[1], text });
  }

  resolution(): number {
    this.calls++;
    return 1;
  }

  setStyle(style: Style): void {
    this.calls++;
    this.#style = style;
    this.#strokes.push({ d: '', style });
  }

  background(): Color | undefined {
    this.calls++;
    return { r: 250, g: 250, b: 255 };
  }

  clear(): void {
    this.#strokes = [];
    this.#labels = [];
    this.#points = [];
    this.calls = 0;
  }

  get isEmpty(): boolean {
    return this.#points.length === 0;
  }

  /** The drawing so far, scaled to fit. */
  svg(): SVGSVGElement {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    const xs = this.#points.map((p) => p[0]);
    const ys = this.#points.map((p) => p[1]);
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    const pad = Math.max(x1 - x0, y1 - y0, 1) * 0.1;
    svg.setAttribute('viewBox', `${x0 - pad} ${y0 - pad} ${x1 - x0 + 2 * pad} ${y1 - y0 + 2 * pad}`);
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', `what the plugin drew: ${this.#points.length} points`);
    const width = Math.max(x1 - x0, y1 - y0, 1) / 100;
    for (const s of this.#strokes) {
      if (s.d === '') continue;
      const path = document.createElementNS(ns, 'path');
      path.setAttribute('d', s.d);
      path.setAttribute('vector-effect', 'non-scaling-stroke');
      const fill = s.style.tag === 'fill' ? `rgb(${s.style.val.r} ${s.style.val.g} ${s.style.val.b})` : 'none';
      path.setAttribute('fill', fill);
      path.setAttribute('stroke', 'currentColor');
      path.setAttribute('stroke-width', String(s.style.tag === 'stroke' ? Math.max(1, s.style.val) : 2));
      if (s.style.tag === 'dashed') path.setAttribute('stroke-dasharray', Array.from(s.style.val).join(' '));
      svg.appendChild(path);
    }
    for (const l of this.#labels) {
      const text = document.createElementNS(ns, 'text');
      text.setAttribute('x', String(l.x));
      text.setAttribute('y', String(l.y));
      text.setAttribute('font-size', String(width * 8));
      text.textContent = l.text;
      svg.appendChild(text);
    }
    return svg;
  }

  #current(): Stroke {
    this.calls++;
    let last = this.#strokes[this.#strokes.length - 1];
    if (last === undefined) this.#strokes.push((last = { d: '', style: this.#style }));
    return last;
  }

  #move(x: number, y: number): void {
    this.#at = [x, y];
    this.#points.push([x, y]);
  }
}
