/**
 * Load-time verification of a component's `rdylib:abi` section against the
 * component's real types, before any of its code runs. The section is the
 * plugin's own claim, so nothing in it is trusted: every item it names must
 * exist, every mode must agree with the own/borrow types, every parameter
 * reference must be in range, and it must be complete: every interface the
 * component exports or imports (WASI aside), every function of those, every
 * handle parameter and every handle in every result described (a host
 * enforces the borrow rules from the section, so a missing entry would slip
 * past them); its size is bounded.
 *
 * A failure is a LoadError('invalid') whose message names the interface,
 * the function and the part of the claim at fault. An async function
 * (format version 2) must be marked so, and only one whose type is
 * `async func`: a host ends its loans when its promise settles.
 */
import { LoadError } from '../errors.ts';
import type { FuncType, ValType } from '../types.ts';
import { containsHandles, type ComponentType } from '../validate/type-space.ts';
import { interfacesOf, printValType, resourceOfFunctionName, type InterfaceView } from './interface-view.ts';
import type { AbiFunction, AbiInterface, ParamHandle, RdylibAbi, ResultHandle } from './section.ts';

/** Bounds on what a section may describe; far above any real plugin, far below a memory problem. */
export const ABI_LIMITS = {
  interfaces: 1_000,
  functionsPerInterface: 10_000,
  handlesPerResult: 1_000,
  handlesPerParams: 1_000,
  pathLength: 64,
} as const;

class AbiClaimError extends LoadError {
  constructor(where: string, problem: string) {
    super('invalid', `rdylib:abi section: ${where}: ${problem}`);
  }
}

export function verifyAbi(abi: RdylibAbi, component: ComponentType): void {
  if (abi.interfaces.length > ABI_LIMITS.interfaces) {
    throw new AbiClaimError('interfaces', `${abi.interfaces.length} interfaces, more than the limit of ${ABI_LIMITS.interfaces}`);
  }
  const exported = interfacesOf(component, 'export');
  const imported = interfacesOf(component, 'import');
  const seen = new Set<string>();
  for (const claim of abi.interfaces) {
    const key = `${claim.direction} ${claim.name}`;
    if (seen.has(key)) throw new AbiClaimError(`${claim.direction}ed interface \`${claim.name}\``, 'described twice');
    seen.add(key);
    const view = (claim.direction === 'export' ? exported : imported).get(claim.name);
    if (!view) {
      const have = [...(claim.direction === 'export' ? exported : imported).keys()];
      throw new AbiClaimError(
        `${claim.direction}ed interface \`${claim.name}\``,
        `the component ${claim.direction}s no such interface (it ${claim.direction}s ${have.length === 0 ? 'none' : have.map((n) => `\`${n}\``).join(', ')})`,
      );
    }
    verifyInterface(claim, view);
  }
  // Completeness: an interface the section leaves out would have no borrow rules, and would skip
  // the lifetime comparison against an expectation. WASI interfaces are not the plugin's to describe.
  for (const [direction, views] of [['export', exported], ['import', imported]] as const) {
    for (const name of views.keys()) {
      if (direction === 'import' && name.startsWith('wasi:')) continue;
      if (!seen.has(`${direction} ${name}`)) {
        throw new AbiClaimError(`${direction}ed interface \`${name}\``, `not described: the section must describe every interface the component ${direction}s`);
      }
    }
  }
}

function verifyInterface(claim: AbiInterface, view: InterfaceView): void {
  const where = `interface \`${claim.name}\``;
  if (claim.functions.length > ABI_LIMITS.functionsPerInterface) {
    throw new AbiClaimError(where, `${claim.functions.length} functions, more than the limit of ${ABI_LIMITS.functionsPerInterface}`);
  }
  for (const resource of claim.resources) {
    if (!view.resources.has(resource.name)) {
      throw new AbiClaimError(`${where}, resource \`${resource.name}\``, 'the interface has no resource type of that name');
    }
  }
  const dependentResources = new Set(claim.resources.filter((r) => r.dependent).map((r) => r.name));
  const named = new Set<string>();
  for (const fn of claim.functions) {
    if (named.has(fn.name)) throw new AbiClaimError(`${where}, function \`${fn.name}\``, 'described twice');
    named.add(fn.name);
    const type = view.functions.get(fn.name);
    if (!type) throw new AbiClaimError(`${where}, function \`${fn.name}\``, 'the interface has no function of that name');
    verifyFunction(`${where}, function \`${fn.name}\` (${fn.rust})`, fn, type, view, dependentResources);
  }
  for (const name of view.functions.keys()) {
    if (!named.has(name)) throw new AbiClaimError(`${where}, function \`${name}\``, 'not described: the section must describe every function of an interface it describes');
  }
}

function verifyFunction(where: string, fn: AbiFunction, type: FuncType, view: InterfaceView, dependentResources: ReadonlySet<string>): void {
  const name = (t: ValType): string => printValType(t, view.resourceName);
  const owner = resourceOfFunctionName(fn.name);
  const self = type.params[0];

  // A host ends an async call's loans when its promise settles (§3.4): the claim must be the type's.
  if (fn.async !== type.async) {
    throw new AbiClaimError(
      where,
      fn.async ? 'claims an async function, but its type is a sync `func`' : 'is an `async func`, but the section does not mark it `"async": true`',
    );
  }
  // The section has no words for a handle a stream or future carries: such a handle would escape every rule.
  for (const param of type.params) {
    if (carriesHandle(param.type)) {
      throw new AbiClaimError(where, `parameter \`${param.name}\` has a resource handle inside a stream or future, which the section cannot describe`);
    }
  }
  if (carriesHandle(type.result)) {
    throw new AbiClaimError(where, 'the result has a resource handle inside a stream or future, which the section cannot describe');
  }

  // The receiver mode must match how the function takes its first parameter.
  if (fn.receiver === 'shared' || fn.receiver === 'exclusive') {
    if (!fn.name.startsWith('[method]')) {
      throw new AbiClaimError(where, `claims a \`${fn.receiver === 'shared' ? '&self' : '&mut self'}\` receiver, but is not a [method]`);
    }
    if (!self || self.type.kind !== 'borrow' || view.resourceName(self.type.resource) !== owner) {
      throw new AbiClaimError(where, `claims a borrowed receiver, but its first parameter is ${self ? name(self.type) : 'missing'}, not borrow<${owner}>`);
    }
  } else if (fn.receiver === 'consume') {
    if (!self || self.type.kind !== 'own' || view.resourceName(self.type.resource) !== owner) {
      throw new AbiClaimError(where, `claims a \`self\` (consuming) receiver, but its first parameter is ${self ? name(self.type) : 'missing'}, not ${owner ?? 'an owned handle'}`);
    }
  } else if (fn.name.startsWith('[method]')) {
    throw new AbiClaimError(where, 'is a [method] but claims no receiver mode');
  }

  for (const index of fn.staticParams) {
    const param = type.params[index];
    if (!param) throw new AbiClaimError(where, `static parameter ${index} is out of range (the function has ${type.params.length} parameters)`);
    if (param.type.kind !== 'borrow' && param.type.kind !== 'own') {
      throw new AbiClaimError(where, `parameter \`${param.name}\` is claimed to be a library-static handle, but its type is ${name(param.type)}`);
    }
  }

  verifyParamHandles(where, fn, type, view);

  if (fn.results.length > ABI_LIMITS.handlesPerResult) {
    throw new AbiClaimError(where, `${fn.results.length} result handles, more than the limit of ${ABI_LIMITS.handlesPerResult}`);
  }
  const described = new Set<string>();
  for (const handle of fn.results) {
    verifyResultHandle(where, handle, fn, type, view, dependentResources);
    const key = JSON.stringify(handle.path);
    if (described.has(key)) throw new AbiClaimError(`${where}, result handle at \`${handle.path.join('.') || '(result)'}\``, 'described twice');
    described.add(key);
  }
  // Completeness: a result handle without an entry could borrow without the host knowing.
  for (const path of type.result === undefined ? [] : handlePaths(type.result)) {
    if (!described.has(JSON.stringify(path))) {
      throw new AbiClaimError(where, `the result has a handle at \`${path.length === 0 ? '(result)' : path.join('.')}\` that the section does not describe in \`results\``);
    }
  }
}

function verifyResultHandle(
  where: string,
  handle: ResultHandle,
  fn: AbiFunction,
  type: FuncType,
  view: InterfaceView,
  dependentResources: ReadonlySet<string>,
): void {
  const at = `${where}, result handle at \`${handle.path.length === 0 ? '(result)' : handle.path.join('.')}\``;
  if (handle.path.length > ABI_LIMITS.pathLength) throw new AbiClaimError(at, `path longer than ${ABI_LIMITS.pathLength} steps`);
  if (!type.result) throw new AbiClaimError(at, 'the function returns nothing');
  const target = followPath(type.result, handle.path);
  if (typeof target === 'string') throw new AbiClaimError(at, target);
  if (target.kind !== 'own') {
    throw new AbiClaimError(at, `the result type there is ${printValType(target, view.resourceName)}, not an owned handle`);
  }
  const resource = view.resourceName(target.resource);
  if (resource !== handle.resource) throw new AbiClaimError(at, `the handle there is a \`${resource}\`, not a \`${handle.resource}\``);

  if (handle.lifetime !== 'dependent') {
    if (dependentResources.has(resource)) {
      throw new AbiClaimError(at, `\`${resource}\` is a dependent resource (it borrows), but this handle is claimed ${handle.lifetime}`);
    }
    return;
  }
  if (!dependentResources.has(resource)) {
    throw new AbiClaimError(at, `the handle borrows, but resource \`${resource}\` is not declared dependent`);
  }
  for (const borrow of handle.borrows) {
    const param = type.params[borrow.param];
    if (!param) throw new AbiClaimError(at, `borrows parameter ${borrow.param}, but the function has ${type.params.length} parameters`);
    if (param.name !== borrow.name) throw new AbiClaimError(at, `borrows parameter ${borrow.param} as \`${borrow.name}\`, but that parameter is \`${param.name}\``);
    // Only something the caller lends can be borrowed from: a moved (own) or plain value is gone after the call.
    if (param.type.kind !== 'borrow') {
      throw new AbiClaimError(at, `borrows \`${param.name}\`, which is passed as ${printValType(param.type, view.resourceName)}, not as a borrowed handle`);
    }
    // A result cannot hold a stronger borrow of the receiver than the method took.
    if (borrow.param === 0 && fn.receiver === 'shared' && borrow.mode === 'exclusive') {
      throw new AbiClaimError(at, 'borrows `self` exclusively, but the method takes `&self` (shared)');
    }
    // Likewise for any parameter: the handle keeps at most the borrow the function took.
    const taken = fn.params.find((p) => p.param === borrow.param && p.path.length === 0);
    if (borrow.mode === 'exclusive' && taken?.mode === 'shared') {
      throw new AbiClaimError(at, `borrows \`${param.name}\` exclusively, but the function takes it shared`);
    }
  }
}

/**
 * The `params` claim: every entry names a real parameter and a handle in it,
 * with a mode its type allows (`shared`/`exclusive` on `borrow`, `consume` on
 * `own`); every handle of every parameter is described exactly once, so a
 * host enforcing the borrow rules from the claim misses none; the receiver
 * and library-static parameters agree with what `receiver` and
 * `staticParams` say.
 */
function verifyParamHandles(where: string, fn: AbiFunction, type: FuncType, view: InterfaceView): void {
  const name = (t: ValType): string => printValType(t, view.resourceName);
  if (fn.params.length > ABI_LIMITS.handlesPerParams) {
    throw new AbiClaimError(where, `${fn.params.length} parameter handles, more than the limit of ${ABI_LIMITS.handlesPerParams}`);
  }
  const described = new Map<string, ParamHandle>();
  for (const claim of fn.params) {
    const at = `${where}, parameter handle ${paramHandleText(claim)}`;
    const param = type.params[claim.param];
    if (!param) throw new AbiClaimError(at, `names parameter ${claim.param}, but the function has ${type.params.length} parameters`);
    if (param.name !== claim.name) throw new AbiClaimError(at, `parameter ${claim.param} is \`${param.name}\`, not \`${claim.name}\``);
    if (claim.path.length > ABI_LIMITS.pathLength) throw new AbiClaimError(at, `path longer than ${ABI_LIMITS.pathLength} steps`);
    const target = followPath(param.type, claim.path, 'parameter');
    if (typeof target === 'string') throw new AbiClaimError(at, target);
    if (target.kind !== 'own' && target.kind !== 'borrow') {
      throw new AbiClaimError(at, `the parameter type there is ${name(target)}, not a handle`);
    }
    if (claim.mode === 'consume' && target.kind !== 'own') {
      throw new AbiClaimError(at, `claims the handle is moved in (consume), but the parameter type there is ${name(target)}, a borrow`);
    }
    if (claim.mode !== 'consume' && target.kind !== 'borrow') {
      throw new AbiClaimError(at, `claims a ${claim.mode} borrow, but the parameter type there is ${name(target)}, an owned handle that moves in`);
    }
    const key = JSON.stringify([claim.param, claim.path]);
    if (described.has(key)) throw new AbiClaimError(at, 'described twice');
    described.set(key, claim);
  }

  // Completeness: a handle the claim leaves out would escape the host's borrow checks.
  for (const [index, param] of type.params.entries()) {
    for (const path of handlePaths(param.type)) {
      if (!described.has(JSON.stringify([index, path]))) {
        const whereIn = path.length === 0 ? '' : ` at \`${path.join('.')}\``;
        throw new AbiClaimError(where, `parameter \`${param.name}\` has a handle${whereIn} that the section does not describe in \`params\``);
      }
    }
  }

  if (fn.receiver !== null) {
    const self = described.get(JSON.stringify([0, []]));
    if (self && self.mode !== fn.receiver) {
      throw new AbiClaimError(`${where}, parameter handle ${paramHandleText(self)}`, `is taken ${self.mode}, but the receiver is ${fn.receiver}`);
    }
  }
  for (const index of fn.staticParams) {
    for (const claim of fn.params) {
      if (claim.param === index && claim.mode !== 'shared') {
        throw new AbiClaimError(`${where}, parameter handle ${paramHandleText(claim)}`, `is taken ${claim.mode}, but it is a library-static parameter, which is only ever shared`);
      }
    }
  }
}

function paramHandleText(claim: ParamHandle): string {
  return `\`${claim.name}\`${claim.path.length === 0 ? '' : ` at \`${claim.path.join('.')}\``}`;
}

/** Whether `t` has an `own` or `borrow` inside the elements of a `stream` or `future` (at any depth). */
function carriesHandle(t: ValType | undefined): boolean {
  // `containsHandles` first, here and in `handlePaths`: most types have no handle at all, and validation
  // has already memoised that per type object, so those are not walked again.
  return t !== undefined && containsHandles(t) && handleInStream(t, false);
}

/** `carriesHandle` below a point where `inStream` says whether a stream or future encloses `t`. */
function handleInStream(t: ValType | undefined, inStream: boolean): boolean {
  if (t === undefined) return false;
  // Loops, not `some` with an arrow, here and in `collectHandlePaths`: this runs at every cold load,
  // and an arrow made per call loses its optimised code with the closure (V8 holds it weakly), so
  // each full GC between loads had V8 optimise these callbacks again.
  switch (t.kind) {
    case 'own':
    case 'borrow':
      return inStream;
    case 'stream':
    case 'future':
      return handleInStream(t.element, true);
    case 'option':
      return handleInStream(t.type, inStream);
    case 'list':
      return handleInStream(t.element, inStream);
    case 'result':
      return handleInStream(t.ok, inStream) || handleInStream(t.err, inStream);
    case 'tuple':
      for (const u of t.types) if (handleInStream(u, inStream)) return true;
      return false;
    case 'record':
      for (const f of t.fields) if (handleInStream(f.type, inStream)) return true;
      return false;
    case 'variant':
      for (const c of t.cases) if (handleInStream(c.type, inStream)) return true;
      return false;
    default:
      return false;
  }
}

/** The paths to every handle inside a value of type `t`, with the steps `followPath` takes, in type order. */
function handlePaths(t: ValType): string[][] {
  const out: string[][] = [];
  if (!containsHandles(t)) return out;
  collectHandlePaths(t, [], out);
  return out;
}

/** Adds to `out` the path of every handle inside `t`, each `prefix` (the steps to `t`, restored on return) plus its own steps. */
function collectHandlePaths(t: ValType | undefined, prefix: string[], out: string[][]): void {
  if (t === undefined) return;
  switch (t.kind) {
    case 'own':
    case 'borrow':
      out.push([...prefix]);
      return;
    case 'option':
      return collectStep(t.type, 'some', prefix, out);
    case 'result':
      collectStep(t.ok, 'ok', prefix, out);
      return collectStep(t.err, 'err', prefix, out);
    case 'list':
      return collectStep(t.element, 'elem', prefix, out);
    case 'tuple':
      for (let i = 0; i < t.types.length; i++) collectStep(t.types[i], String(i), prefix, out);
      return;
    case 'record':
      for (const f of t.fields) collectStep(f.type, f.name, prefix, out);
      return;
    case 'variant':
      for (const c of t.cases) collectStep(c.type, c.name, prefix, out);
      return;
  }
}

function collectStep(t: ValType | undefined, step: string, prefix: string[], out: string[][]): void {
  if (t === undefined) return;
  prefix.push(step);
  collectHandlePaths(t, prefix, out);
  prefix.pop();
}

/** The type at `path` inside `t`, or a message saying which step does not fit. */
function followPath(t: ValType, path: readonly string[], of: 'result' | 'parameter' = 'result'): ValType | string {
  let here = t;
  for (const [i, step] of path.entries()) {
    const next = stepInto(here, step);
    if (next === undefined) return `step ${i + 1} (\`${step}\`) does not fit the ${of} type there`;
    here = next;
  }
  return here;
}

function stepInto(t: ValType, step: string): ValType | undefined {
  switch (t.kind) {
    case 'option':
      return step === 'some' ? t.type : undefined;
    case 'result':
      return step === 'ok' ? t.ok : step === 'err' ? t.err : undefined;
    case 'list':
      return step === 'elem' ? t.element : undefined;
    case 'tuple':
      return /^(0|[1-9][0-9]*)$/.test(step) ? t.types[Number(step)] : undefined;
    case 'record':
      return t.fields.find((f) => f.name === step)?.type;
    case 'variant':
      return t.cases.find((c) => c.name === step)?.type;
    default:
      return undefined;
  }
}
