/**
 * The inspection as text for people: what `rdylib inspect` prints, and what
 * the playground shows. One section per question: what it is, what it needs,
 * what it offers, what its handles borrow, where its bytes go.
 */
import type { AbiFunction, ParamHandle, RdylibAbi, ResultHandle } from '../rdylib/section.ts';
import { describeProvider } from './capabilities.ts';
import type { Inspection, Lifetimes } from './inspect.ts';
import type { Sizes } from './sizes.ts';

export function formatInspection(x: Inspection): string {
  const out: string[] = [`${x.source}: component, ${formatBytes(x.sizes.bytes)}, world ${x.package}/${x.world}`, ''];
  out.push('Imports (what it asks of the host):');
  if (x.imports.length === 0) out.push('  (none: it can do nothing but compute)');
  for (const i of x.imports) out.push(`  ${i.name}  — ${describeProvider(i.provider)}`);
  out.push('', 'Exports:');
  if (x.exports.length === 0) out.push('  (none)');
  for (const e of x.exports) {
    const parts = [
      ...(e.resources.length > 0 ? [`resources ${e.resources.join(', ')}`] : []),
      ...(e.functions.length > 0 ? [`functions ${e.functions.join(', ')}`] : []),
    ];
    out.push(`  ${e.name}${e.sort === 'interface' ? '' : ` (${e.sort})`}${parts.length > 0 ? `: ${parts.join('; ')}` : ''}`);
  }
  out.push('', ...formatLifetimes(x.lifetimes), '', ...formatSizes(x.sizes), '', 'WIT (read from the component\'s types):', '');
  out.push(...x.wit.trimEnd().split('\n').map((l) => (l === '' ? '' : `  ${l}`)));
  return `${out.join('\n')}\n`;
}

export function formatLifetimes(l: Lifetimes): string[] {
  if (l.status === 'missing') {
    return ['Lifetimes: none (no rdylib:abi section): it loads only with `unchecked: true`, and no borrow rules are enforced'];
  }
  if (l.status === 'invalid') return [`Lifetimes: the rdylib:abi section does not verify, so the component is refused: ${l.error}`];
  return formatAbi(l.abi);
}

function formatAbi(abi: RdylibAbi): string[] {
  const out = [
    `Lifetimes (rdylib:abi v${abi.formatVersion}: crate ${abi.crate.name} ${abi.crate.version}, ${abi.package}@${abi.interfaceVersion}, world ${abi.world}):`,
  ];
  for (const iface of abi.interfaces) {
    const dependent = iface.resources.filter((r) => r.dependent).map((r) => r.name);
    out.push(`  ${iface.direction} ${iface.name}${dependent.length > 0 ? `  (dependent resources: ${dependent.join(', ')})` : ''}`);
    const rows = iface.functions.map((f) => [`${f.rust}`, `${f.name}`, lifetimeSummary(f)] as const);
    const w0 = Math.max(...rows.map((r) => r[0].length), 0);
    const w1 = Math.max(...rows.map((r) => r[1].length), 0);
    for (const [rust, name, summary] of rows) out.push(`    ${rust.padEnd(w0)}  ${name.padEnd(w1)}  ${summary}`.trimEnd());
  }
  return out;
}

/** `self: &mut, other: & -> iter borrowing self (shared)`: how a function takes and gives handles. */
export function lifetimeSummary(f: AbiFunction): string {
  const params = f.params.map((p) => paramText(p, f.staticParams.includes(p.param)));
  const results = f.results.map(resultText);
  const left = params.length > 0 ? params.join(', ') : '';
  const right = results.length > 0 ? `-> ${results.join(', ')}` : '';
  return [left, right].filter((s) => s !== '').join('  ') || '(no handles)';
}

function at(path: readonly string[]): string {
  return path.length === 0 ? '' : `.${path.join('.')}`;
}

function paramText(p: ParamHandle, isStatic: boolean): string {
  const mode = p.mode === 'shared' ? (isStatic ? "&'static" : '&') : p.mode === 'exclusive' ? '&mut' : 'moved';
  return `${p.name}${at(p.path)}: ${mode}`;
}

function resultText(r: ResultHandle): string {
  const where = r.path.length === 0 ? '' : `${r.path.join('.')} `;
  switch (r.lifetime) {
    case 'owned':
      return `${where}${r.resource} (owned)`;
    case 'static':
      return `${where}${r.resource} (library-static)`;
    case 'dependent':
      return `${where}${r.resource} borrowing ${r.borrows.map((b) => `${b.name} (${b.mode})`).join(', ')}`;
  }
}

export function formatSizes(s: Sizes): string[] {
  const code = s.coreModules.reduce((n, m) => n + m.bytes, 0);
  const out = [`Sizes: ${formatBytes(s.bytes)} in all; ${s.coreModules.length} core module${s.coreModules.length === 1 ? '' : 's'}, ${formatBytes(code)}`];
  for (const m of s.coreModules) out.push(`  ${m.at}: ${formatBytes(m.bytes)}`);
  if (s.customSections.length > 0) {
    out.push('  custom sections:');
    for (const c of s.customSections) out.push(`    ${c.name} (${c.in}): ${formatBytes(c.bytes)}`);
  }
  return out;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(2)} MiB`;
}
