/**
 * Load-time verification of a component's `rdylib:abi` section against the
 * component's real types, before any of its code runs. The section is the
 * plugin's own claim, so nothing in it is trusted: every item it names must
 * exist, every mode must agree with the own/borrow types, every parameter
 * reference must be in range, and its size is bounded.
 *
 * A failure is a LoadError('invalid') whose message names the interface,
 * the function and the part of the claim at fault.
 */
import { LoadError } from '../errors.ts';
import type { FuncType, ValType } from '../types.ts';
import type { ComponentType } from '../validate/type-space.ts';
import { interfacesOf, printValType, resourceOfFunctionName, type InterfaceView } from './interface-view.ts';
import type { AbiFunction, AbiInterface, RdylibAbi, ResultHandle } from './section.ts';

/** Bounds on what a section may describe; far above any real plugin, far below a memory problem. */
export const ABI_LIMITS = {
  interfaces: 1_000,
  functionsPerInterface: 10_000,
  handlesPerResult: 1_000,
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
}

function verifyFunction(where: string, fn: AbiFunction, type: FuncType, view: InterfaceView, dependentResources: ReadonlySet<string>): void {
  const name = (t: ValType): string => printValType(t, view.resourceName);
  const owner = resourceOfFunctionName(fn.name);
  const self = type.params[0];

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

  if (fn.results.length > ABI_LIMITS.handlesPerResult) {
    throw new AbiClaimError(where, `${fn.results.length} result handles, more than the limit of ${ABI_LIMITS.handlesPerResult}`);
  }
  for (const handle of fn.results) verifyResultHandle(where, handle, fn, type, view, dependentResources);
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
  }
}

/** The type at `path` inside `t`, or a message saying which step does not fit. */
function followPath(t: ValType, path: readonly string[]): ValType | string {
  let here = t;
  for (const [i, step] of path.entries()) {
    const next = stepInto(here, step);
    if (next === undefined) return `step ${i + 1} (\`${step}\`) does not fit the result type there`;
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
