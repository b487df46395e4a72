/**
 * For tests of the call plan's shortcuts (host/rdylib/call-plan.ts) on the
 * kv plugin's real rdylib:abi section: a kv function's plan around a stand-in
 * call, and a call's outcome as plain data so two routes can be compared.
 */
import type { Plugin } from '../../host/index.ts';
import { withBorrowRules } from '../../host/rdylib/call-plan.ts';
import { readRdylibAbi, type AbiFunction } from '../../host/rdylib/section.ts';
import type { FuncType } from '../../host/types.ts';
import { readGuest } from './guests.ts';

export const KV = 'rdylib-guest:kv/kv@0.1.0';

/** The kv section's entry for function `name` of the kv interface. */
export function described(name: string): AbiFunction {
  const abi = readRdylibAbi(readGuest('kv'))!;
  return abi.interfaces.find((i) => i.name === KV)!.functions.find((f) => f.name === name)!;
}

/**
 * kv's `name` with the call plan of a plugin that calls out (`callsOut`) or
 * not, running in the plugin's instance, its lifted call replaced by `call`.
 */
export function planOf(plugin: Plugin, name: string, callsOut: boolean, call: () => unknown): (...args: unknown[]) => unknown {
  const fn = described(name);
  const params = (fn.params ?? []).map((p) => ({ name: p.name, type: { kind: 'u32' } }));
  const type = { async: false, params: params.length > 0 ? params : [{ name: 'self', type: { kind: 'u32' } }], result: undefined } as unknown as FuncType;
  return withBorrowRules(fn, { type, call, inst: plugin.instances[0] }, callsOut)!;
}

/** What calling `f` came to: its value, or the error's class and message. */
export function outcome(f: () => unknown): unknown {
  try {
    return { value: f() };
  } catch (e) {
    return { threw: (e as Error).constructor.name, message: (e as Error).message };
  }
}
