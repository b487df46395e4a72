/**
 * The classes of wrong verdicts that wasm-tools' validation suite showed
 * (issue 11), one test each, plus the cost limits: every check here was a
 * hang, a false accept, a false refusal or a wrong error kind before.
 */
import { describe, expect, it } from 'vitest';
import { parse } from '../../scripts/lib/jco.ts';
import { compile, instantiateComponent } from '../../host/load.ts';
import { LoadError, type LoadErrorKind } from '../../host/errors.ts';
import { workDone } from '../../host/validate/work.ts';
import { MAX_TYPE_SIZE } from '../../host/validate/type-size.ts';

async function refusal(wat: string): Promise<LoadError> {
  const bytes = await parse(wat);
  try {
    compile(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(LoadError);
    return e as LoadError;
  }
  throw new Error('expected the component to be refused');
}

async function expectRefused(wat: string, kind: LoadErrorKind, message: RegExp): Promise<void> {
  const e = await refusal(wat);
  expect({ kind: e.kind, message: e.message }).toEqual({ kind, message: expect.stringMatching(message) });
}

async function expectAccepted(wat: string): Promise<void> {
  expect(compile(await parse(wat))).toBeDefined();
}

/** Ten uses of the previous level's type per level: size grows tenfold per level while the text grows by a constant. */
function nestedComponentTypes(levels: number): string {
  const types = ['(type $m0 (component))'];
  for (let i = 1; i <= levels; i++) {
    const imports = Array.from({ length: 10 }, (_, k) => `(import "i${k}" (component (type $m${i - 1})))`).join(' ');
    types.push(`(type $m${i} (component ${imports}))`);
  }
  return `(component ${types.join('\n')})`;
}

describe('cost: effective type size and nesting limits', () => {
  it('refuses ten levels of tenfold type reuse quickly, naming the limit, with little work', async () => {
    await expectRefused(nestedComponentTypes(10), 'invalid', new RegExp(`effective type size exceeds the limit of ${MAX_TYPE_SIZE}`));
    // Sizes are memoised per type object: the refusal costs a few steps per type, not 10^6.
    expect(workDone()).toBeLessThan(1000);
  });

  it('accepts the same shape while it stays under the limit', async () => {
    await expectAccepted(nestedComponentTypes(5)); // size ~1.1e5
    expect(workDone()).toBeLessThan(1000);
  });

  it('refuses a record of records whose effective size passes the limit', async () => {
    const levels = ['(type $t0 (flags "x"))'];
    for (let i = 1; i <= 7; i++) {
      const fields = Array.from({ length: 10 }, (_, k) => `(field "f${k}" $t${i - 1})`).join(' ');
      levels.push(`(type $t${i} (record ${fields}))`);
    }
    await expectRefused(`(component ${levels.join('\n')})`, 'invalid', /effective type size exceeds the limit/);
  });

  it('refuses instances whose types grow tenfold per level of instantiation', async () => {
    const comps = ['(component $m0)'];
    for (let i = 1; i <= 7; i++) {
      const insts = Array.from({ length: 10 }, (_, k) => `(instance (export "e${k}") (instantiate $m${i - 1}))`).join(' ');
      comps.push(`(component $m${i} ${insts})`);
    }
    await expectRefused(`(component ${comps.join('\n')})`, 'invalid', /effective type size exceeds the limit/);
    expect(workDone()).toBeLessThan(10_000);
  });

  it('limits value types to 100 levels of nesting', async () => {
    const chain = (n: number): string => {
      const ts = ['(type $t0 (list u8))'];
      for (let i = 1; i < n; i++) ts.push(`(type $t${i} (list $t${i - 1}))`);
      return `(component ${ts.join(' ')})`;
    };
    await expectAccepted(chain(99));
    await expectRefused(chain(100), 'invalid', /type nesting is too deep/);
  });
});

describe('false accepts', () => {
  it('refuses a core reference type naming a core type index that does not exist', async () => {
    await expectRefused('(component (core type (func (param (ref 100)))))', 'invalid', /type index out of bounds: core type index 100/);
  });

  it('refuses a core reference type naming a module type', async () => {
    await expectRefused('(component (core type $t (module)) (core type (func (param (ref $t)))))', 'invalid', /type index 0 is a module type/);
  });

  it('refuses a reference to an undefined type inside a module type', async () => {
    await expectRefused('(component (core type (module (type (func (result (ref 3)))))))', 'invalid', /type index out of bounds/);
  });

  const core = `(core module $m
      (memory (export "m") 1)
      (func (export "r") (param i32 i32 i32 i32) (result i32) unreachable)
      (func (export "f")))
    (core instance $i (instantiate $m))
    (core module $s (memory (export "sm") 1 1 shared))
    (core instance $si (instantiate $s))`;

  it('refuses realloc without memory, even where neither is needed', async () => {
    await expectRefused(`(component ${core} (func (canon lift (core func $i "f") (realloc (core func $i "r")))))`, 'invalid', /`realloc` requires `memory`/);
  });

  it('refuses a shared memory as the canonical ABI memory', async () => {
    await expectRefused(`(component ${core} (func (canon lift (core func $i "f") (memory (core memory $si "sm")))))`, 'invalid', /shared flag for memories/);
    await expectAccepted(`(component ${core} (func (canon lift (core func $i "f") (memory (core memory $i "m")))))`);
  });

  it('refuses a component argument that does not match the imported component type', async () => {
    const instantiate = (needs: string, gives: string): string => `(component
      (component $needs (import "c" (component ${needs})))
      (component $gives ${gives})
      (instance (instantiate $needs (with "c" (component $gives)))))`;
    await expectRefused(instantiate('(export "f" (func))', ''), 'invalid', /missing export `f`/);
    await expectRefused(instantiate('', '(import "x" (func))'), 'invalid', /imports `x`, which the expected component type does not offer/);
    await expectRefused(
      instantiate('(export "f" (func (param "a" u32)))', '(import "g" (func $g (param "a" string))) (export "f" (func $g))'),
      'invalid',
      /imports `g`/,
    );
    await expectAccepted(instantiate('(import "x" (func)) (export "f" (func))', '(import "x" (func $x)) (export "f" (func $x))'));
  });
});

describe('false refusals', () => {
  it('reads (sub (func)) inside a core module type', async () => {
    await expectAccepted('(component (core type (module (type (sub (func))) (type (sub final (func (param i32)))))))');
  });

  it('resolves an outer alias two component levels up from inside a core module type', async () => {
    await expectAccepted(`(component $C
      (core type $t (func))
      (component $C2
        (core type (module (alias outer $C $t (type $a)) (import "" "" (func (type $a)))))))`);
  });

  it('accepts a type named through an imported instance export and reached by an outer alias', async () => {
    await expectAccepted(`(component $C
      (import "foo" (instance $i
        (type $baz' (record (field "f" u32)))
        (export "baz" (type $baz (eq $baz')))
        (type $bar' (record (field "baz" $baz)))
        (export "bar" (type $bar (eq $bar')))))
      (alias export $i "bar" (type $bar))
      (import "bar" (instance
        (alias outer $C $bar (type $bar'))
        (export "bar" (type $bar (eq $bar')))
        (export "a" (func $f (result $bar))))))`);
  });

  it('accepts types substituted into a nested component instance and re-exported', async () => {
    const types = `(type (instance (type (enum "qux")) (export "baz" (type (eq 0))) (type (record (field "bar" 1))) (export "foo" (type (eq 2)))))`;
    await expectAccepted(`(component
      ${types}
      (import (interface "demo:component/types") (instance (type 0)))
      (component
        ${types}
        (import (interface "demo:component/types") (instance (type 0)))
        (component
          (type (enum "qux"))
          (import "import-type-baz" (type (eq 0)))
          (type (record (field "bar" 1)))
          (import "import-type-bar" (type (eq 2)))
          (export "foo" (type 3)))
        (instance (instantiate 0 (with "import-type-baz" (type 0 "baz")) (with "import-type-bar" (type 0 "foo"))))
        (export (interface "demo:component/types") (instance 1)))
      (instance (instantiate 0 (with "demo:component/types" (instance 0))))
      (export (interface "demo:component/types") (instance 1 "demo:component/types")))`);
  });
});

describe('features the host does not implement are unsupported, naming the feature', () => {
  const core = `(core module $m (memory (export "m") 1) (func (export "f") (result i32) i32.const 0)) (core instance $i (instantiate $m))`;

  it('the gc canonical option', async () => {
    await expectRefused(`(component ${core} (core type $ft (func (result i32))) (func (result u32) (canon lift (core func $i "f") gc (core-type $ft))))`, 'unsupported', /`(gc|core-type)` canonical option/);
  });

  it('value imports (cm-values)', async () => {
    await expectRefused('(component (import "v" (value string)))', 'unsupported', /value imports/);
  });

  it('64-bit resource representations (cm64)', async () => {
    await expectRefused('(component (type (resource (rep i64))))', 'unsupported', /64-bit resource representation/);
  });

  it('package and artifact locator names', async () => {
    await expectRefused('(component (import "locked-dep=<a:b@1.2.3>" (func)))', 'unsupported', /locked-dep name/);
  });

  it('version suffixes on names (cm-canon-names)', async () => {
    await expectRefused('(component (import "a:b/c@1" (versionsuffix ".2.3") (instance)))', 'unsupported', /versionsuffix/);
  });

  it('shared core types (shared-everything-threads)', async () => {
    await expectRefused('(component (core type (shared (func))))', 'unsupported', /shared core types/);
  });

  // Whether the engine compiles these depends on the JS engine: either it does (accepted) or it is named as unsupported, never invalid.
  for (const [feature, module, named] of [
    ['memory64', '(core module (memory i64 1))', /memory64/],
    ['custom page sizes', '(core module (memory 1 (pagesize 1)))', /custom page sizes/],
    ['multi-memory', '(core module (memory 1) (memory 1))', /multi-memory/],
  ] as const) {
    it(`${feature} in a core module, where the engine lacks it`, async () => {
      const bytes = await parse(`(component ${module})`);
      try {
        compile(bytes);
      } catch (e) {
        expect(e).toBeInstanceOf(LoadError);
        expect({ kind: (e as LoadError).kind, message: (e as LoadError).message }).toEqual({ kind: 'unsupported', message: expect.stringMatching(named) });
      }
    });
  }
});

describe('imports that carry nothing need nothing from the caller', () => {
  it('instantiates type-only, empty and type-only instance imports with no imports given', async () => {
    const ex = instantiateComponent(
      await parse(`(component
        (type $t1 (record (field "x" u32)))
        (import "a" (type (eq $t1)))
        (import "e" (instance))
        (import "i" (instance (type $r (record (field "y" u8))) (export "r" (type (eq $r))))))`),
    );
    expect(ex).toEqual({});
  });

  it('still demands an import that carries a function', async () => {
    const bytes = await parse('(component (import "e" (instance)) (import "f" (func)))');
    expect(() => instantiateComponent(bytes)).toThrow(expect.objectContaining({ kind: 'unlinkable', message: expect.stringMatching(/missing import `f`/) }));
  });
});
