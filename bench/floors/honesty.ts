/**
 * What the floors' honesty tests compare between a checked floor and ours:
 * how one operation ended. A floor that skips a check a safe host must make
 * would make a target look unreachable, so for every bad input the floor
 * must refuse where ours refuses, with the same kind of error naming the
 * same item (the message up to its first colon, with `#<n>` object numbers
 * left out: they count objects made, and each side made its own), and for
 * every good input give the same result.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export type Outcome = { readonly ok: unknown } | { readonly error: string; readonly item: string };

/** How `op` ended: its result, or the error's name and the item its message names. */
export function outcome(op: () => unknown): Outcome {
  try {
    return { ok: op() };
  } catch (error) {
    if (!(error instanceof Error)) return { error: typeof error, item: String(error) };
    return { error: error.name, item: itemOf(error.message) };
  }
}

function itemOf(message: string): string {
  return message.split(':')[0]!.replace(/#\d+/g, '#<n>');
}

/** `outcome` of an asynchronous op. */
export async function outcomeOf(op: () => Promise<unknown>): Promise<Outcome> {
  try {
    return { ok: await op() };
  } catch (error) {
    if (!(error instanceof Error)) return { error: typeof error, item: String(error) };
    return { error: error.name, item: itemOf(error.message) };
  }
}

/** V8's full collection, made available to this process at first use (Node's `--expose-gc` by flag). */
let gc: (() => void) | undefined;

/** Full collections with turns of the event loop between them, so finalizers run. */
export async function collectGarbage(): Promise<void> {
  if (gc === undefined) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
}
