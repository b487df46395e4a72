/**
 * Does a plugin provide what the host was built against?
 *
 * The host's expectation is a reference build of the interface (its component
 * types plus its rdylib:abi section). The plugin found at load time must give
 * at least that, with the evolution rules of docs/abi.md ("Compatibility"):
 *
 * - every expected interface, function and resource is there (additions are fine);
 * - each function's type is the same (sync or async, parameter names, types,
 *   result), with resources compared by name;
 * - the interface version is semver-compatible (same major, or same minor for 0.x,
 *   and not older);
 * - lifetimes are no more demanding than expected: a receiver or handle
 *   parameter may relax from `&mut` to `&` but not the reverse; a result may borrow fewer
 *   parameters or borrow them shared instead of exclusively, but an owned or
 *   static result may not start to borrow, and owned and static never swap;
 * - imported (host-implemented) interfaces must match exactly, since there the
 *   plugin is the caller and the host implements the reference.
 *
 * All differences are collected and reported together, one line each.
 */
import { AbiMismatchError } from '../errors.ts';
import type { FuncType, ValType } from '../types.ts';
import type { ComponentType } from '../validate/type-space.ts';
import { unversionedName, versionOf } from '../validate/names.ts';
import { interfacesOf, printValType, type Direction, type InterfaceView } from './interface-view.ts';
import type { AbiFunction, AbiInterface, ParamHandle, RdylibAbi, ResultHandle } from './section.ts';

/** One side of the comparison: a component's types and (if it has one) its rdylib:abi section. */
export interface AbiSurface {
  readonly type: ComponentType;
  readonly abi: RdylibAbi | undefined;
  /** For messages: where this surface came from. */
  readonly source: string;
}

export function checkCompatible(expected: AbiSurface, found: AbiSurface): void {
  const differences: string[] = [];
  for (const direction of ['export', 'import'] as const) {
    compareDirection(direction, expected, found, differences);
  }
  if (expected.abi && !found.abi) {
    differences.push(`(component): expected an rdylib:abi section describing lifetimes, found none`);
  }
  if (differences.length > 0) {
    throw new AbiMismatchError(`${found.source} does not provide the interface ${expected.source} was built against`, differences);
  }
}

function compareDirection(direction: Direction, expected: AbiSurface, found: AbiSurface, out: string[]): void {
  const want = interfacesOf(expected.type, direction);
  const have = interfacesOf(found.type, direction);
  const haveByBase = new Map([...have.values()].map((v) => [unversionedName(v.name), v]));
  for (const w of want.values()) {
    const h = have.get(w.name) ?? haveByBase.get(unversionedName(w.name));
    if (!h) {
      // A plugin that imports less than expected needs less from the host: fine.
      if (direction === 'export') out.push(`\`${w.name}\`: expected an exported interface, found none`);
      continue;
    }
    if (h.name !== w.name) {
      const problem = versionProblem(versionOf(w.name), versionOf(h.name));
      if (problem) out.push(`\`${w.name}\`: ${problem} (found \`${h.name}\`)`);
    }
    compareInterface(w, h, abiInterface(expected.abi, w), abiInterface(found.abi, h), out);
  }
  if (direction === 'import') {
    // The host provides only what the reference imports.
    for (const h of have.values()) {
      if (!want.has(h.name) && !haveInWant(want, h.name)) out.push(`\`${h.name}\`: the plugin imports this interface, which the host does not provide`);
    }
  }
}

function haveInWant(want: ReadonlyMap<string, InterfaceView>, name: string): boolean {
  return [...want.keys()].some((w) => unversionedName(w) === unversionedName(name));
}

function compareInterface(w: InterfaceView, h: InterfaceView, wAbi: AbiInterface | undefined, hAbi: AbiInterface | undefined, out: string[]): void {
  const at = `\`${w.name}\``;
  for (const resource of w.resources) {
    if (!h.resources.has(resource)) out.push(`${at} resource \`${resource}\`: expected, found none (removed or renamed)`);
  }
  for (const [name, wType] of w.functions) {
    const hType = h.functions.get(name);
    const fnAt = `${at} \`${name}\``;
    if (!hType) {
      if (w.direction === 'export') out.push(`${fnAt}: expected, found none (removed or renamed)`);
      continue;
    }
    compareFuncTypes(fnAt, wType, hType, w, h, out);
    const wFn = wAbi?.functions.find((f) => f.name === name);
    const hFn = hAbi?.functions.find((f) => f.name === name);
    if (wFn && hFn) compareLifetimes(fnAt, wFn, hFn, w.direction, out);
    else if (wFn && !hFn && hAbi) out.push(`${fnAt}: expected lifetime information, found none in the section`);
  }
  if (w.direction === 'import') {
    for (const name of h.functions.keys()) {
      if (!w.functions.has(name)) out.push(`${at} \`${name}\`: the plugin imports this function, which the host does not provide`);
    }
  }
}

function compareFuncTypes(at: string, w: FuncType, h: FuncType, wv: InterfaceView, hv: InterfaceView, out: string[]): void {
  const wp = (t: ValType) => printValType(t, wv.resourceName);
  const hp = (t: ValType) => printValType(t, hv.resourceName);
  // Either way the JS shape changes (a value or a Promise) and so do the borrows' spans (§3.4).
  if (w.async !== h.async) out.push(`${at}: expected ${w.async ? 'an async' : 'a sync'} function, found ${h.async ? 'an async' : 'a sync'} one`);
  if (w.params.length !== h.params.length) {
    out.push(`${at}: expected ${w.params.length} parameters (${w.params.map((p) => p.name).join(', ')}), found ${h.params.length} (${h.params.map((p) => p.name).join(', ')})`);
    return;
  }
  w.params.forEach((wParam, i) => {
    const hParam = h.params[i]!;
    if (wParam.name !== hParam.name) out.push(`${at} parameter ${i}: expected \`${wParam.name}\`, found \`${hParam.name}\``);
    const a = wp(wParam.type);
    const b = hp(hParam.type);
    if (a !== b) out.push(`${at} parameter \`${wParam.name}\`: expected ${a}, found ${b}`);
  });
  const a = w.result ? wp(w.result) : 'nothing';
  const b = h.result ? hp(h.result) : 'nothing';
  if (a !== b) out.push(`${at} result: expected ${a}, found ${b}`);
}

const receiverStrength = { shared: 0, exclusive: 1, consume: 2 } as const;

function compareLifetimes(at: string, w: AbiFunction, h: AbiFunction, direction: Direction, out: string[]): void {
  const exact = direction === 'import';
  if (w.receiver !== h.receiver) {
    const relaxed = w.receiver !== null && h.receiver !== null && w.receiver !== 'consume' && h.receiver !== 'consume' &&
      receiverStrength[h.receiver] < receiverStrength[w.receiver];
    if (exact || !relaxed) out.push(`${at} receiver: expected ${receiverText(w.receiver)}, found ${receiverText(h.receiver)}`);
  }
  const hStatic = new Set(h.staticParams);
  for (const p of w.staticParams) if (!hStatic.has(p) && exact) out.push(`${at} parameter ${p}: expected a library-static handle, found any handle`);
  for (const p of h.staticParams) if (!w.staticParams.includes(p)) out.push(`${at} parameter ${p}: expected any handle, found only library-static handles accepted`);

  // Handle parameters other than the receiver (compared above): the host may
  // pass less than the plugin needs if the plugin wants more, never the reverse.
  for (const wp of w.params) {
    if (w.receiver !== null && wp.param === 0) continue;
    const hp = h.params.find((p) => p.param === wp.param && p.path.join('.') === wp.path.join('.'));
    if (!hp || hp.mode === wp.mode) continue;
    const relaxed = wp.mode === 'exclusive' && hp.mode === 'shared';
    if (exact || !relaxed) {
      const where = `${at} parameter \`${wp.name}\`${wp.path.length === 0 ? '' : ` at \`${wp.path.join('.')}\``}`;
      out.push(`${where}: expected ${paramModeText(wp.mode)}, found ${paramModeText(hp.mode)}`);
    }
  }

  const wByPath = new Set(w.results.map((r) => r.path.join('.')));
  for (const hr of h.results) {
    // A reference that describes no handle there vouches for nothing: a handle that now borrows is refused.
    const key = hr.path.join('.');
    if (!wByPath.has(key) && hr.lifetime === 'dependent') {
      out.push(`${at} result handle at \`${key === '' ? '(result)' : key}\`: expected no borrowing handle, found ${lifetimeText(hr)}: the result now borrows`);
    }
  }
  const hByPath = new Map(h.results.map((r) => [r.path.join('.'), r]));
  for (const wr of w.results) {
    const key = wr.path.join('.');
    const hr = hByPath.get(key);
    const where = `${at} result handle at \`${key === '' ? '(result)' : key}\``;
    if (!hr) {
      out.push(`${where}: expected ${lifetimeText(wr)}, found no handle described`);
      continue;
    }
    const problem = exact ? (lifetimeText(wr) === lifetimeText(hr) ? undefined : 'must match exactly for an imported interface') : resultProblem(wr, hr);
    if (problem) out.push(`${where}: expected ${lifetimeText(wr)}, found ${lifetimeText(hr)}: ${problem}`);
  }
}

/** Why `found` is more demanding than `expected` for the host, or undefined when it is not. */
function resultProblem(expected: ResultHandle, found: ResultHandle): string | undefined {
  if (found.lifetime === 'dependent') {
    if (expected.lifetime !== 'dependent') return `the result now borrows, where it used to be ${expected.lifetime}`;
    for (const b of found.borrows) {
      const e = expected.borrows.find((x) => x.param === b.param);
      if (!e) return `it now also borrows \`${b.name}\``;
      if (e.mode === 'shared' && b.mode === 'exclusive') return `it now borrows \`${b.name}\` exclusively`;
    }
    return undefined;
  }
  if (expected.lifetime === 'dependent') return undefined; // borrows nothing now: less demanding
  return expected.lifetime === found.lifetime ? undefined : 'owned and library-static handles are not interchangeable';
}

function paramModeText(mode: ParamHandle['mode']): string {
  return mode === 'shared' ? 'a shared borrow (`&`)' : mode === 'exclusive' ? 'an exclusive borrow (`&mut`)' : 'a moved handle';
}

function receiverText(r: AbiFunction['receiver']): string {
  return r === null ? 'no receiver' : r === 'shared' ? '`&self`' : r === 'exclusive' ? '`&mut self`' : '`self` (consuming)';
}

function lifetimeText(r: ResultHandle): string {
  if (r.lifetime !== 'dependent') return `${r.lifetime} \`${r.resource}\``;
  return `\`${r.resource}\` borrowing ${r.borrows.map((b) => `\`${b.name}\` (${b.mode})`).join(', ')}`;
}

function abiInterface(abi: RdylibAbi | undefined, view: InterfaceView): AbiInterface | undefined {
  return abi?.interfaces.find((i) => i.name === view.name && i.direction === view.direction);
}

/** Semver compatibility of an interface version: undefined when `found` can stand in for `expected`. */
export function versionProblem(expected: string | undefined, found: string | undefined): string | undefined {
  if (expected === found) return undefined;
  if (expected === undefined || found === undefined) return `expected version ${expected ?? '(none)'}, found ${found ?? '(none)'}`;
  const e = parseSemver(expected);
  const f = parseSemver(found);
  if (!e || !f) return `expected version ${expected}, found ${found}`;
  const sameLine = e[0] === f[0] && (e[0] !== 0 || e[1] === f[1]);
  if (!sameLine) return `incompatible interface version: expected ${expected}, found ${found}`;
  const older = f[1] < e[1] || (f[1] === e[1] && f[2] < e[2]);
  return older ? `interface version ${found} is older than the expected ${expected}` : undefined;
}

function parseSemver(v: string): [number, number, number] | undefined {
  const m = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/.exec(v);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}
