/**
 * A resource destructor of an instance that uses tasks runs as a synchronous
 * task of its own (definitions.py `canon_resource_drop` lifts the destructor
 * and lowers it into the dropping instance), on every engine: fixtures/
 * dtor-task.wat records what `context.get 0` gives inside the destructor.
 * Before, the destructor ran as a bare core call: dropped by a guest task it
 * read that task's context slot (42), dropped by JS it found no task at all
 * (sync-barges-in.wast:323, whose destructor calls `future.read`).
 */
import { describe, expect, it } from 'vitest';
import { load } from '../../host/index.ts';
import { fixtureBytes } from './differential.ts';

interface Exports {
  run(): Promise<number>;
  make(): unknown;
  seen(): number | Promise<number>;
  drops(): number | Promise<number>;
}

async function plugin(): Promise<Exports> {
  const p = await load(await fixtureBytes('dtor-task'), { name: 'dtor-task', unchecked: true });
  return p.exports as unknown as Exports;
}

describe('a destructor in an instance that uses tasks', () => {
  it('dropped by a guest task, runs in a thread of its own (context slot 0), not the dropper\'s (42)', async () => {
    const e = await plugin();
    expect(await e.run()).toBe(0);
    expect(await e.drops()).toBe(1);
  });

  it('dropped by JS, runs as a task too and finds its own thread', async () => {
    const e = await plugin();
    const r = e.make() as { [Symbol.dispose](): void };
    r[Symbol.dispose]();
    expect(await e.drops()).toBe(1);
    expect(await e.seen()).toBe(0);
  });
});
