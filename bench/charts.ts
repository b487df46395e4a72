/**
 * The report's charts, drawn as SVG text from the results (no library): the
 * ratio ours/peer per case on a log scale, and the unload cost against the
 * number of live handles on log-log axes.
 */
import { nsOf, oursOver } from './report.ts';
import { PEERS, type CaseResult, type Column } from './suite.ts';

const FONT = 'font-family="system-ui, sans-serif" font-size="12"';
const PEER_COLOUR: Record<Exclude<Column, 'ours'>, string> = { raw: '#4c72b0', checked: '#937860', jco: '#dd8452', extism: '#55a868', floor: '#8172b3' };
const PEER_LABEL: Record<Exclude<Column, 'ours'>, string> = { raw: 'ours/raw', checked: 'ours/checked floor', jco: 'ours/jco', extism: 'ours/extism', floor: 'ours/JS floor' };

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function svg(width: number, height: number, body: string[]): string {
  return [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`, `<rect width="${width}" height="${height}" fill="white"/>`, ...body, '</svg>', ''].join('\n');
}

function formatRatio(r: number): string {
  return r >= 10 ? `${r.toFixed(0)}x` : r >= 1 ? `${r.toFixed(1)}x` : `${r.toPrecision(2)}x`;
}

/**
 * One group of bars per case (one bar per peer it was measured against),
 * the bar's length the ratio ours/peer on a log axis: left of 1 ours is
 * faster, right of it slower.
 */
export function ratioChart(results: readonly CaseResult[]): string {
  const rows = results
    .map((r) => ({ name: r.name, bars: PEERS.map((p) => ({ peer: p, ratio: oursOver(r, p) })).filter((b): b is { peer: Exclude<Column, 'ours'>; ratio: number } => b.ratio !== null) }))
    .filter((r) => r.bars.length > 0);
  const all = rows.flatMap((r) => r.bars.map((b) => b.ratio));
  const lo = Math.floor(Math.log10(Math.min(0.1, ...all)));
  const hi = Math.ceil(Math.log10(Math.max(10, ...all)));
  const labelWidth = 470;
  const plotWidth = 520;
  const barHeight = 9;
  const top = 40;
  const rowHeights = rows.map((r) => r.bars.length * barHeight + 10);
  const height = top + rowHeights.reduce((a, b) => a + b, 0) + 40;
  const x = (ratio: number): number => labelWidth + ((Math.log10(ratio) - lo) / (hi - lo)) * plotWidth;
  const body: string[] = [];
  body.push(`<text x="10" y="18" ${FONT} font-weight="bold">ratio ours/peer per case (log scale; left of 1x ours is faster)</text>`);
  let legendX = 10;
  for (const p of PEERS) {
    body.push(`<rect x="${legendX}" y="26" width="10" height="10" fill="${PEER_COLOUR[p]}"/><text x="${legendX + 14}" y="35" ${FONT}>${PEER_LABEL[p]}</text>`);
    legendX += 130;
  }
  for (let e = lo; e <= hi; e++) {
    const gx = x(10 ** e);
    body.push(`<line x1="${gx}" y1="${top}" x2="${gx}" y2="${height - 30}" stroke="${e === 0 ? '#000' : '#ddd'}"/>`);
    body.push(`<text x="${gx}" y="${height - 14}" ${FONT} text-anchor="middle">${formatRatio(10 ** e)}</text>`);
  }
  let y = top;
  rows.forEach((row, i) => {
    body.push(`<text x="${labelWidth - 8}" y="${y + rowHeights[i]! / 2 + 2}" ${FONT} text-anchor="end">${escape(row.name)}</text>`);
    row.bars.forEach((b, j) => {
      const by = y + 5 + j * barHeight;
      const x0 = x(1);
      const x1 = x(b.ratio);
      body.push(`<rect x="${Math.min(x0, x1)}" y="${by}" width="${Math.max(1, Math.abs(x1 - x0))}" height="${barHeight - 1}" fill="${PEER_COLOUR[b.peer]}"><title>${escape(`${row.name}: ${PEER_LABEL[b.peer]} ${formatRatio(b.ratio)}`)}</title></rect>`);
      body.push(`<text x="${x1 + (x1 >= x0 ? 3 : -3)}" y="${by + barHeight - 1}" font-family="system-ui, sans-serif" font-size="9" text-anchor="${x1 >= x0 ? 'start' : 'end'}">${formatRatio(b.ratio)}</text>`);
    });
    y += rowHeights[i]!;
  });
  return svg(labelWidth + plotWidth + 40, height, body);
}

/**
 * Unload time against live handles, log-log, with the straight line a cost
 * proportional to the handle count would follow through the largest point.
 */
export function unloadChart(points: readonly { handles: number; ns: number }[]): string {
  const width = 560;
  const height = 340;
  const left = 70;
  const right = 70;
  const top = 40;
  const bottom = 50;
  const xs = points.map((p) => p.handles);
  const ys = points.map((p) => p.ns / 1e6);
  const xlo = 0;
  const xhi = Math.ceil(Math.log10(Math.max(10, ...xs)));
  const ylo = Math.floor(Math.log10(Math.min(...ys, 1)) - 0.5);
  const yhi = Math.ceil(Math.log10(Math.max(...ys)) + 0.2);
  const px = (handles: number): number => left + ((Math.log10(handles) - xlo) / (xhi - xlo)) * (width - left - right);
  const py = (ms: number): number => height - bottom - ((Math.log10(ms) - ylo) / (yhi - ylo)) * (height - top - bottom);
  const body: string[] = [];
  body.push(`<text x="10" y="18" ${FONT} font-weight="bold">plugin.unload() time against live handles (log-log)</text>`);
  for (let e = xlo; e <= xhi; e++) {
    body.push(`<line x1="${px(10 ** e)}" y1="${top}" x2="${px(10 ** e)}" y2="${height - bottom}" stroke="#ddd"/>`);
    body.push(`<text x="${px(10 ** e)}" y="${height - bottom + 16}" ${FONT} text-anchor="middle">${(10 ** e).toLocaleString('en')}</text>`);
  }
  for (let e = ylo; e <= yhi; e++) {
    body.push(`<line x1="${left}" y1="${py(10 ** e)}" x2="${width - right}" y2="${py(10 ** e)}" stroke="#ddd"/>`);
    body.push(`<text x="${left - 6}" y="${py(10 ** e) + 4}" ${FONT} text-anchor="end">${10 ** e >= 1 ? `${10 ** e} ms` : `${Math.round(10 ** e * 1000)} µs`}</text>`);
  }
  body.push(`<text x="${(left + width - right) / 2}" y="${height - 12}" ${FONT} text-anchor="middle">live handles</text>`);
  if (points.length > 0) {
    // The line through the largest point with slope 1: cost proportional to the handle count.
    const last = points[points.length - 1]!;
    const perHandleMs = last.ns / 1e6 / last.handles;
    const from = Math.max(1, 10 ** (ylo - Math.log10(perHandleMs)));
    body.push(`<line x1="${px(from)}" y1="${py(from * perHandleMs)}" x2="${px(last.handles)}" y2="${py(last.ns / 1e6)}" stroke="#999" stroke-dasharray="4 3"/>`);
    body.push(`<text x="${px(last.handles) - 6}" y="${py(last.ns / 1e6) + 34}" ${FONT} fill="#666" text-anchor="end">proportional to handles</text>`);
    const path = points.map((p, i) => `${i === 0 ? 'M' : 'L'}${px(p.handles).toFixed(1)},${py(p.ns / 1e6).toFixed(1)}`).join(' ');
    body.push(`<path d="${path}" fill="none" stroke="#4c72b0" stroke-width="2"/>`);
    for (const p of points) {
      const ms = p.ns / 1e6;
      body.push(`<circle cx="${px(p.handles)}" cy="${py(ms)}" r="4" fill="#4c72b0"/>`);
      body.push(`<text x="${px(p.handles) + 6}" y="${py(ms) - 6}" ${FONT}>${ms >= 1 ? `${ms.toFixed(1)} ms` : `${(ms * 1000).toFixed(0)} µs`}</text>`);
    }
  }
  return svg(width, height, body);
}

/** The unload rows' points (handles from the row's name order, given), skipping unmeasured ones. */
export function unloadPoints(results: readonly CaseResult[], handleCounts: readonly number[]): { handles: number; ns: number }[] {
  return results.flatMap((r, i) => {
    const ns = nsOf(r.cells.ours);
    const handles = handleCounts[i];
    return ns === null || handles === undefined ? [] : [{ handles, ns }];
  });
}
