/**
 * Issue 10 item 5 one level further (in-process and worker): a call checks
 * every handle wherever it sits in the arguments (inside an option, a
 * variant case, a tuple inside a list) and across parameters (one handle
 * borrowed by one parameter and moved by another) before it moves anything.
 * A refused call leaves `plugin.handles()` exactly as it was.
 *
 * Plugin: statics (take_maybe(Option<Cfg>), take_slot(Slot), take_nested(
 * Vec<(Cfg, Option<Cfg>)>), read_and_take(&Cfg, Vec<Cfg>)).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Cfg, Statics } from './apis.ts';
import { api, borrowRefused, dispose, handleRefused, handleState, MODES, STATICS, typeRefused, usePlugins } from './support.ts';

describe.each(MODES)('handles nested in options, variants and lists of tuples (%s)', (mode) => {
  const plugins = usePlugins({ beforeAll, afterAll, beforeEach, afterEach }, mode, ['statics']);
  const s = (): Statics => api<Statics>(plugins().statics, STATICS);
  const owned = async (name: string, value: number): Promise<Cfg> => new (s().Cfg)(name, value);
  /** Runs the refusal `f` and checks that the plugin's handles are as they were. */
  async function changesNothing(f: () => Promise<unknown>): Promise<void> {
    const before = await handleState(plugins().statics);
    await f();
    expect(await handleState(plugins().statics)).toEqual(before);
  }

  it('E0382: one handle at two depths of take_nested ([[a, b], [c, a]] and [[a, a]]) is a BorrowError; nothing moved', async () => {
    const [a, b, c] = [await owned('a', 1), await owned('b', 2), await owned('c', 4)];
    await changesNothing(() => borrowRefused(() => s().takeNested([[a, b], [c, a]]), /cfg/));
    await changesNothing(() => borrowRefused(() => s().takeNested([[a, a]]), /cfg/));
    expect([await a.value(), await b.value(), await c.value()]).toEqual([1, 2, 4]);
  });

  it('allowed: take_nested([[a, b], [c, none]]) moves all three', async () => {
    const [a, b, c] = [await owned('a', 1), await owned('b', 2), await owned('c', 4)];
    expect(await s().takeNested([[a, b], [c, undefined]])).toBe(7);
    for (const moved of [a, b, c]) await handleRefused(() => moved.value(), 'use-after-move', /cfg/);
  });

  it('E0505: read_and_take(a, [a]) (borrowed by one parameter, moved by another) is a BorrowError; read_and_take(a, [b]) is allowed', async () => {
    const a = await owned('a', 1);
    const b = await owned('b', 2);
    await changesNothing(() => borrowRefused(() => s().readAndTake(a, [a]), /cfg/));
    expect(await s().readAndTake(a, [b])).toBe(3);
    expect(await a.value()).toBe(1);
    await handleRefused(() => b.value(), 'use-after-move', /cfg/);
  });

  it('E0507: a static handle in an option, a variant case or deep in a list of tuples is refused; the owned one next to it is not moved', async () => {
    const cfg = await s().config();
    const a = await owned('a', 1);
    await changesNothing(() => borrowRefused(() => s().takeMaybe(cfg), /cfg/));
    await changesNothing(() => borrowRefused(() => s().takeSlot({ tag: 'full', val: cfg }), /cfg/));
    await changesNothing(() => borrowRefused(() => s().takeNested([[a, cfg]]), /cfg/));
    expect(await a.value()).toBe(1);
    expect(await cfg.value()).toBe(3);
  });

  it('E0505: a handle a live view borrows, in a variant case or deep in a list of tuples, is refused', async () => {
    const a = await owned('a', 1);
    const b = await owned('b', 2);
    const view = await b.view();
    await changesNothing(() => borrowRefused(() => s().takeSlot({ tag: 'full', val: b }), /cfg/));
    await changesNothing(() => borrowRefused(() => s().takeNested([[a, b]]), /cfg/));
    expect(await view.value()).toBe(2);
    expect(await a.value()).toBe(1);
  });

  it('a bad value or a disposed handle deep in the arguments is refused (TypeError / HandleError) and the handles before it are not moved', async () => {
    const a = await owned('a', 1);
    await changesNothing(() => typeRefused(() => s().takeNested([[a, {}]])));
    const gone = await owned('gone', 5);
    await dispose(gone, mode);
    await changesNothing(() => handleRefused(() => s().takeNested([[a, gone]]), 'use-after-dispose', /cfg/));
    expect(await a.value()).toBe(1);
  });

  it('allowed: empty options and cases borrow and move nothing; a full case moves its handle', async () => {
    const a = await owned('a', 6);
    expect(await s().takeMaybe(undefined)).toBe(0);
    expect(await s().takeSlot({ tag: 'empty' })).toBe(0);
    expect(await a.value()).toBe(6);
    expect(await s().takeSlot({ tag: 'full', val: a })).toBe(6);
    await handleRefused(() => a.value(), 'use-after-move', /cfg/);
  });
});
