/**
 * Issue 10 items 2, 5 and 9 as a matrix (in-process and worker): library
 * static handles allow only shared access whatever the route (receiver,
 * argument, inside a list, a tuple or a record, returned in a list or an
 * option); `&'static` parameters accept only static handles; a call checks
 * every handle of every argument (aliasing inside lists, tuples and records
 * included) before it moves anything.
 *
 * Plugin: statics (guest-rust/examples/statics), one resource `Cfg` handed
 * out as `&'static Cfg` by `config()`/`configs()`/`find()` and owned by `new`.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Cfg, Registry, Statics } from './apis.ts';
import { api, borrowRefused, dispose, expectNotPoisoned, handleRefused, MODES, REGISTRY, STATICS, typeRefused, usePlugins } from './support.ts';

describe.each(MODES)('library-static handles and whole-call checks on statics (%s)', (mode) => {
  const plugins = usePlugins({ beforeAll, afterAll, beforeEach, afterEach }, mode, ['statics', 'registry']);
  const s = (): Statics => api<Statics>(plugins().statics, STATICS);
  const owned = async (name: string, value: number): Promise<Cfg> => new (s().Cfg)(name, value);

  describe('static handles allow only shared access (item 2)', () => {
    it('E0507: a consuming method (into_value(self)) on a `&\'static Cfg` is refused; the static data is unchanged', async () => {
      const c = await s().config();
      await borrowRefused(() => s().Cfg.intoValue(c), /cfg/);
      expectNotPoisoned(plugins().statics);
      expect(await c.value()).toBe(3);
      expect(await (await s().config()).value()).toBe(3);
    });

    it('E0507: passing a static handle by value (take(s: Cfg), give_back) is refused', async () => {
      const c = await s().config();
      await borrowRefused(() => s().take(c), /cfg/);
      await borrowRefused(() => s().giveBack(c), /cfg/);
      expect(await c.name()).toBe('depth');
    });

    it('E0596: `&mut self` (set) and a `&mut` argument (copy_into dst, swap) on a static handle are refused', async () => {
      const c = await s().config();
      const mine = await owned('mine', 7);
      await borrowRefused(() => c.set(9), /cfg/);
      await borrowRefused(() => s().copyInto(c, mine), /cfg/);
      await borrowRefused(() => s().swap(mine, c), /cfg/);
      await borrowRefused(() => c.edit(), /cfg/);
      expect(await c.value()).toBe(3);
      expect(await mine.value()).toBe(7);
    });

    it('E0507 / E0596: static handles returned inside a list or an option keep their static-ness', async () => {
      const [depth, width] = await s().configs();
      const found = (await s().find('width'))!;
      await borrowRefused(() => s().Cfg.intoValue(width!), /cfg/);
      await borrowRefused(() => found.set(1), /cfg/);
      await borrowRefused(() => depth!.set(1), /cfg/);
      expect(await found.value()).toBe(80);
      expect(await width!.value()).toBe(80);
    });

    it('E0507: a static handle inside a list, a tuple or a record passed by value is refused, and the owned handles next to it are not moved', async () => {
      const c = await s().config();
      const a = await owned('a', 1);
      await borrowRefused(() => s().takeAll([a, c]), /cfg/);
      await borrowRefused(() => s().takePair([a, c]), /cfg/);
      await borrowRefused(() => s().takeRecord({ first: a, second: c }), /cfg/);
      // `a` was not moved by any of the refused calls.
      expect(await a.value()).toBe(1);
      expect(await s().take(a)).toBe(1);
      expect(await c.value()).toBe(3);
    });

    it('E0596 on the registry: rescale(&mut self) on a static unit from find() or all() is refused', async () => {
      const reg = await api<Registry>(plugins().registry, REGISTRY).registry();
      const ft = (await reg.find('ft'))!;
      const all = await reg.all();
      await borrowRefused(() => ft.rescale(2), /unit/);
      await borrowRefused(() => all[0]!.rescale(2), /unit/);
      expect(await ft.symbol()).toBe('ft');
      expect(await reg.len()).toBe(5);
    });

    it('allowed: shared uses of a static handle (methods, `&Cfg` and `&\'static Cfg` parameters, `&\'static self`, a view)', async () => {
      const c = await s().config();
      expect(await c.describe()).toBe('depth=3 (static)');
      expect(await s().read(c)).toBe(3);
      expect(await s().readStatic(c)).toBe('depth');
      const mine = await owned('mine', 5);
      await s().copyInto(mine, c);
      expect(await mine.value()).toBe(3);
      const view = await c.view();
      expect(await view.value()).toBe(3);
    });
  });

  describe("`&'static` parameters accept only static handles", () => {
    it("E0597: an owned handle where `&'static Cfg` is required (readStatic, describe(&'static self)) is refused", async () => {
      const mine = await owned('mine', 5);
      await borrowRefused(() => s().readStatic(mine), /cfg/);
      await borrowRefused(() => mine.describe(), /cfg/);
      expectNotPoisoned(plugins().statics);
      expect(await mine.value()).toBe(5);
      expect(await s().take(mine)).toBe(5);
    });
  });

  describe('item 9: dropping a static handle while a view borrows it', () => {
    it('allowed (a `&\'static` reference is Copy in Rust): the view keeps working, the data is still there', async () => {
      const c = await s().config();
      const view = await c.view();
      await dispose(c, mode);
      expect(await view.value()).toBe(3);
      await dispose(view, mode);
      expect(await (await s().config()).value()).toBe(3);
    });

    it('E0505 for an owned handle: dropping it while a view borrows it is refused', async () => {
      const mine = await owned('mine', 4);
      const view = await mine.view();
      await borrowRefused(() => dispose(mine, mode), /cfg/);
      expect(await view.value()).toBe(4);
      expect(await mine.value()).toBe(4);
    });
  });

  describe('a call checks every handle of every argument before it moves anything (item 5)', () => {
    it('E0382: the same owned handle twice in a list, a tuple or a record passed by value is refused; nothing moved', async () => {
      const a = await owned('a', 2);
      await borrowRefused(() => s().takeAll([a, a]), /cfg/);
      await borrowRefused(() => s().takePair([a, a]), /cfg/);
      await borrowRefused(() => s().takeRecord({ first: a, second: a }), /cfg/);
      expectNotPoisoned(plugins().statics);
      expect(await a.value()).toBe(2);
      expect(await s().takeAll([a])).toBe(2);
      await handleRefused(() => a.value(), 'use-after-move', /cfg/);
    });

    it('a non-handle after a handle in a list ([c, {}]) is a TypeError, and `c` was not moved', async () => {
      const a = await owned('a', 2);
      await typeRefused(() => s().takeAll([a, {}]));
      await typeRefused(() => s().takePair([a, 42]));
      await typeRefused(() => s().takeRecord({ first: a, second: 'nope' }));
      expect(await a.value()).toBe(2);
      expect(await s().take(a)).toBe(2);
    });

    it('a disposed handle after a live one in a list is a HandleError, and the live one was not moved', async () => {
      const a = await owned('a', 2);
      const gone = await owned('gone', 3);
      await dispose(gone, mode);
      await handleRefused(() => s().takeAll([a, gone]), 'use-after-dispose', /cfg/);
      await handleRefused(() => s().takeRecord({ first: a, second: gone }), 'use-after-dispose', /cfg/);
      expect(await a.value()).toBe(2);
    });

    it('E0505: a handle borrowed by a live view, inside a list, a tuple or a record passed by value, is refused; nothing moved', async () => {
      const a = await owned('a', 1);
      const b = await owned('b', 2);
      const view = await b.view();
      await borrowRefused(() => s().takeAll([a, b]), /cfg/);
      await borrowRefused(() => s().takePair([a, b]), /cfg/);
      await borrowRefused(() => s().takeRecord({ first: a, second: b }), /cfg/);
      expect(await a.value()).toBe(1);
      expect(await view.value()).toBe(2);
      await dispose(view, mode);
      expect(await s().takeRecord({ first: a, second: b })).toBe(3);
    });

    it('E0502 / E0499: one handle as `&mut` and `&` (copy_into(a, a)) or as two `&mut` (swap(a, a)) is refused', async () => {
      const a = await owned('a', 1);
      await borrowRefused(() => s().copyInto(a, a), /cfg/);
      await borrowRefused(() => s().swap(a, a), /cfg/);
      expect(await a.value()).toBe(1);
      const b = await owned('b', 2);
      await s().swap(a, b);
      expect([await a.value(), await b.value()]).toEqual([2, 1]);
    });

    it('E0502: `&Cfg` while an editor borrows it exclusively, `&mut self` while a view borrows it', async () => {
      const a = await owned('a', 1);
      const editor = await a.edit();
      await borrowRefused(() => s().read(a), /cfg/);
      await editor.set(6);
      await dispose(editor, mode);
      expect(await s().read(a)).toBe(6);
      const view = await a.view();
      await borrowRefused(() => a.set(0), /cfg/);
      expect(await view.value()).toBe(6);
    });

    it('allowed: a move in and out (give_back); afterwards the old handle is a HandleError use-after-move (E0382) and the new one is owned', async () => {
      const a = await owned('a', 8);
      const back = await s().giveBack(a);
      await handleRefused(() => a.value(), 'use-after-move', /cfg/);
      expect(await back.value()).toBe(8);
      expect(await s().Cfg.intoValue(back)).toBe(8);
    });
  });
});
