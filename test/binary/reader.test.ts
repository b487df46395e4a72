import { describe, expect, it } from 'vitest';
import { parse } from '../../scripts/lib/jco.ts';
import fc from 'fast-check';
import { parseComponent } from '../../host/binary/index.ts';
import { Reader } from '../../host/binary/reader.ts';
import { LoadError } from '../../host/errors.ts';

const PREAMBLE = [0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00];

function bin(...parts: (number[] | string)[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) {
    if (typeof p === 'string') out.push(...new TextEncoder().encode(p));
    else out.push(...p);
  }
  return new Uint8Array(out);
}

function loadError(f: () => unknown): LoadError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(LoadError);
    return e as LoadError;
  }
  throw new Error('expected a LoadError');
}

describe('component binary reader', () => {
  it('reads the empty component', () => {
    const c = parseComponent(bin(PREAMBLE));
    expect(c.definitions).toEqual([]);
    expect(c.customSections).toEqual([]);
  });

  it('reads definitions of every common section from a jco-built component', async () => {
    const bytes = await parse(`(component
      (import "rdylib:hello/log@0.1.0" (instance $log (export "log" (func (param "msg" string)))))
      (core module $m
        (func (export "f") (param i32) (result i32) local.get 0)
        (memory (export "mem") 1))
      (core instance $i (instantiate $m))
      (type $rec (record (field "a" u32) (field "b-c" string)))
      (type $v (variant (case "x") (case "y" $rec)))
      (type $e (enum "one" "two"))
      (type $fl (flags "r" "w"))
      (type $t (tuple u8 s64))
      (type $o (option $t))
      (type $res (result $o (error string)))
      (type $lst (list $rec))
      (alias core export $i "f" (core func $f))
      (func $g (param "x" u32) (result u32) (canon lift (core func $f)))
      (export "g" (func $g))
    )`);
    const c = parseComponent(bytes);
    const kinds = c.definitions.map((d) => d.kind);
    expect(kinds).toContain('import');
    expect(kinds).toContain('core-module');
    expect(kinds).toContain('core-instance');
    expect(kinds).toContain('canon');
    expect(kinds).toContain('export');
    const types = c.definitions.flatMap((d) => (d.kind === 'type' ? [d.type.kind] : []));
    expect(types).toEqual(expect.arrayContaining(['record', 'variant', 'enum', 'flags', 'tuple', 'option', 'result', 'list', 'func']));
    const rec = c.definitions.find((d) => d.kind === 'type' && d.type.kind === 'record');
    expect(rec).toMatchObject({ type: { fields: [{ name: 'a', type: { kind: 'primitive', type: 'u32' } }, { name: 'b-c' }] } });
    const imp = c.definitions.find((d) => d.kind === 'import');
    expect(imp).toMatchObject({ name: { name: 'rdylib:hello/log@0.1.0' }, type: { kind: 'instance' } });
    const mod = c.definitions.find((d) => d.kind === 'core-module');
    expect(mod?.kind === 'core-module' && Array.from(mod.bytes.subarray(0, 4))).toEqual([0, 0x61, 0x73, 0x6d]);
    const lift = c.definitions.find((d) => d.kind === 'canon');
    expect(lift).toMatchObject({ canon: { kind: 'lift', options: [] } });
  });

  it('reads nested components, resources and canon options', async () => {
    const bytes = await parse(`(component
      (component $inner
        (type $r (resource (rep i32)))
        (export "r" (type $r)))
      (instance $x (instantiate $inner))
      (core module $m (memory (export "m") 1) (func (export "re") (param i32 i32 i32 i32) (result i32) i32.const 0)
        (func (export "f") (param i32 i32)))
      (core instance $i (instantiate $m))
      (alias core export $i "m" (core memory $mem))
      (alias core export $i "re" (core func $re))
      (alias core export $i "f" (core func $f))
      (func (param "s" string) (canon lift (core func $f) (memory $mem) (realloc $re) string-encoding=utf16))
    )`);
    const c = parseComponent(bytes);
    const inner = c.definitions.find((d) => d.kind === 'component');
    expect(inner?.kind === 'component' && inner.component.definitions.map((d) => d.kind)).toEqual(['type', 'export']);
    const lift = c.definitions.find((d) => d.kind === 'canon');
    expect(lift).toMatchObject({
      canon: {
        kind: 'lift',
        options: [
          { opt: { kind: 'memory', index: 0 } },
          { opt: { kind: 'realloc', index: 0 } },
          { opt: { kind: 'string-encoding', encoding: 'utf16' } },
        ],
      },
    });
  });

  it('rejects bad preambles as malformed', () => {
    for (const bytes of [bin(), bin([0]), bin([0, 0x61, 0x73, 0x6d]), bin([0, 0x61, 0x73, 0x6d, 0x0c, 0, 1, 0]), bin([0, 0x61, 0x73, 0x6d, 0x0d, 0, 2, 0])]) {
      expect(loadError(() => parseComponent(bytes)).kind).toBe('malformed');
    }
    const e = loadError(() => parseComponent(bin([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])));
    expect(e.message).toMatch(/core WebAssembly module/);
  });

  it('names the problem and offset for a truncated custom section name', () => {
    const e = loadError(() => parseComponent(bin(PREAMBLE, [0x00, 0x03, 0x05, 0x61, 0x62])));
    expect(e.kind).toBe('malformed');
    expect(e.message).toMatch(/end-of-file/);
    expect(e.offset).toBe(11);
  });

  it('rejects invalid UTF-8 in names', () => {
    const e = loadError(() => parseComponent(bin(PREAMBLE, [0x00, 0x03, 0x02, 0xff, 0xfe])));
    expect(e.message).toMatch(/malformed UTF-8/);
  });

  it('decodes names as UTF-8 whether short, long, ASCII or not, and rejects invalid UTF-8 after an ASCII prefix', () => {
    const customName = (name: Uint8Array): string => {
      const len = name.length < 0x80 ? [name.length] : [(name.length & 0x7f) | 0x80, name.length >> 7];
      return parseComponent(bin(PREAMBLE, [0x00, len.length + name.length], len, Array.from(name))).customSections[0]!.name;
    };
    const utf8 = new TextEncoder();
    for (const name of ['a', 'rdylib:abi', 'x'.repeat(64), 'y'.repeat(65), 'z'.repeat(120), 'caf\u00e9', '\u00e9t\u00e9', 'a'.repeat(63) + '\u00e9', 'kv-\u{1f600}', '']) {
      expect(customName(utf8.encode(name))).toBe(name);
    }
    for (const bad of [[0x61, 0x62, 0xff], [0x61, 0xc3], [...Array(70).fill(0x61), 0xfe]]) {
      expect(loadError(() => customName(new Uint8Array(bad))).message).toMatch(/malformed UTF-8/);
    }
  });

  it('rejects unknown section ids, bad LEB128 and oversized sections', () => {
    expect(loadError(() => parseComponent(bin(PREAMBLE, [0x0d, 0x00]))).message).toMatch(/section id 13/);
    expect(loadError(() => parseComponent(bin(PREAMBLE, [0x07, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]))).message).toMatch(/too long|too large/);
    expect(loadError(() => parseComponent(bin(PREAMBLE, [0x07, 0xff, 0xff, 0xff, 0xff, 0x0f]))).message).toMatch(/end-of-file/);
  });

  it('rejects a bogus vector count without allocating for it', () => {
    // type section of 5 bytes claiming 2^32-1 types
    const e = loadError(() => parseComponent(bin(PREAMBLE, [0x07, 0x05, 0xff, 0xff, 0xff, 0xff, 0x0f])));
    expect(e.message).toMatch(/count/);
  });

  it('rejects trailing bytes inside a section', () => {
    // type section (3 bytes): 1 type, `string`, then one extra byte
    const e = loadError(() => parseComponent(bin(PREAMBLE, [0x07, 0x03, 0x01, 0x73, 0x73])));
    expect(e.message).toMatch(/trailing/);
  });

  it('rejects bad leading bytes with the production named', () => {
    expect(loadError(() => parseComponent(bin(PREAMBLE, [0x07, 0x02, 0x01, 0x62]))).message).toMatch(/0x62.*component defined type/);
    expect(loadError(() => parseComponent(bin(PREAMBLE, [0x08, 0x02, 0x01, 0x07]))).message).toMatch(/0x7.*canonical function/);
    expect(loadError(() => parseComponent(bin(PREAMBLE, [0x07, 0x07, 0x01, 0x71, 0x01, 0x01, 0x63, 0x00, 0x01]))).message).toMatch(/zero byte/);
    expect(loadError(() => parseComponent(bin(PREAMBLE, [0x08, 0x03, 0x01, 0x0c, 0x02]))).message).toMatch(/invalid boolean/);
  });

  it('reads the async built-ins with their immediates', () => {
    const canons = (...fs: number[][]) =>
      parseComponent(bin(PREAMBLE, [0x08, 1 + fs.reduce((n, f) => n + f.length, 0), fs.length, ...fs.flat()])).definitions.map((d) => (d.kind === 'canon' ? d.canon : undefined));
    expect(
      canons(
        [0x0e, 0x03], // stream.new 3
        [0x0f, 0x02, 0x02, 0x06, 0x03, 0x00], // stream.read 2 async (memory 0)
        [0x18, 0x01, 0x01], // future.cancel-read 1 async
        [0x09, 0x00, 0x79, 0x01, 0x03, 0x01], // task.return (result u32) (memory 1)
        [0x0a, 0x7f, 0x00], // context.get i32 0
        [0x20, 0x01, 0x02], // waitable-set.wait cancellable (memory 2)
        [0x27, 0x04, 0x05], // thread.new-indirect 4 (table 5)
        [0x0c, 0x00], // thread.yield
        [0x24], // backpressure.inc
      ),
    ).toEqual([
      { kind: 'stream.new', typeIndex: 3 },
      { kind: 'stream.read', typeIndex: 2, options: [{ offset: expect.any(Number), opt: { kind: 'async' } }, { offset: expect.any(Number), opt: { kind: 'memory', index: 0 } }] },
      { kind: 'future.cancel-read', typeIndex: 1, async: true },
      { kind: 'task.return', result: { kind: 'primitive', type: 'u32' }, options: [{ offset: expect.any(Number), opt: { kind: 'memory', index: 1 } }] },
      { kind: 'context.get', type: 'i32', slot: 0 },
      { kind: 'waitable-set.wait', cancellable: true, memory: 2 },
      { kind: 'thread.new-indirect', coreTypeIndex: 4, table: 5 },
      { kind: 'thread.yield', cancellable: false },
      { kind: 'backpressure.inc' },
    ]);
  });

  it('ignores a garbage component-name section', () => {
    const c = parseComponent(bin(PREAMBLE, [0x00, 0x12, 0x0e], 'component-name', [0xff, 0xfe, 0x01]));
    expect(c.customSections).toHaveLength(1);
    expect(c.names).toBeUndefined();
  });

  it('rejects every truncation of a valid component with a LoadError', async () => {
    const bytes = await parse(`(component
      (core module $m (func (export "f")))
      (core instance $i (instantiate $m))
      (type (record (field "a" u32)))
      (alias core export $i "f" (core func $f))
      (func $g (canon lift (core func $f)))
      (export "g" (func $g)))`);
    // A prefix ending exactly at a section boundary is itself a valid component.
    const boundaries = new Set<number>();
    for (let pos = 8; pos < bytes.length; ) {
      boundaries.add(pos);
      let size = 0;
      let shift = 0;
      let i = pos + 1;
      for (;;) {
        const b = bytes[i++]!;
        size |= (b & 0x7f) << shift;
        shift += 7;
        if ((b & 0x80) === 0) break;
      }
      pos = i + size;
    }
    let rejected = 0;
    for (let n = 0; n < bytes.length; n++) {
      if (boundaries.has(n)) {
        expect(() => parseComponent(bytes.subarray(0, n))).not.toThrow();
      } else {
        expect(loadError(() => parseComponent(bytes.subarray(0, n))).kind).toBe('malformed');
        rejected++;
      }
    }
    expect(rejected).toBeGreaterThan(bytes.length / 2);
  });

  it('never throws anything but LoadError on random bytes after a preamble', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (tail) => {
        try {
          parseComponent(bin(PREAMBLE, Array.from(tail)));
        } catch (e) {
          if (!(e instanceof LoadError)) throw e;
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('Reader.u32 (one-byte values read inline, longer ones through the LEB128 loop)', () => {
  /** u32 of `bytes` read in a sub-reader ending at `end`; returns the value and where the reader stopped, or the LoadError. */
  function readU32(bytes: number[], end = bytes.length): { value: number; offset: number } | LoadError {
    const r = new Reader(new Uint8Array(bytes), 0, end);
    try {
      const value = r.u32('test value');
      return { value, offset: r.offset };
    } catch (e) {
      expect(e).toBeInstanceOf(LoadError);
      return e as LoadError;
    }
  }

  it('reads every one-byte value and moves one byte', () => {
    for (let b = 0; b < 0x80; b++) expect(readU32([b, 0xff])).toEqual({ value: b, offset: 1 });
  });

  it('reads multi-byte values, the 5-byte maximum included', () => {
    expect(readU32([0x80, 0x01])).toEqual({ value: 128, offset: 2 });
    expect(readU32([0xff, 0x7f])).toEqual({ value: 0x3fff, offset: 2 });
    expect(readU32([0xff, 0xff, 0xff, 0xff, 0x0f])).toEqual({ value: 0xffffffff, offset: 5 });
    expect(readU32([0x80, 0x80, 0x80, 0x80, 0x00])).toEqual({ value: 0, offset: 5 });
  });

  it('refuses a value at the end of its range though the buffer goes on, with the message and offset of any truncation', () => {
    // The byte after `end` is a valid one-byte value: the inline read must not take it.
    const atEnd = readU32([0x05], 0);
    expect(atEnd).toBeInstanceOf(LoadError);
    expect((atEnd as LoadError).message).toContain('unexpected end-of-file while reading test value');
    expect((atEnd as LoadError).offset).toBe(0);
    const midValue = readU32([0x80, 0x05], 1);
    expect((midValue as LoadError).message).toContain('unexpected end-of-file while reading test value');
    expect((midValue as LoadError).offset).toBe(1);
  });

  it('refuses too-long and too-large encodings at the value start', () => {
    const tooLong = readU32([0x80, 0x80, 0x80, 0x80, 0x80, 0x00]) as LoadError;
    expect(tooLong).toBeInstanceOf(LoadError);
    expect(tooLong.message).toContain('integer too large or representation too long in test value');
    expect(tooLong.offset).toBe(0);
    const tooLarge = readU32([0xff, 0xff, 0xff, 0xff, 0x1f]) as LoadError;
    expect(tooLarge.message).toContain('integer too large or representation too long in test value');
  });

  it('gives the same values as a plain LEB128 decoder on random encodings', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 6 }), fc.nat(6), (bytes, cut) => {
        const end = Math.min(cut, bytes.length);
        const got = readU32([...bytes], end);
        // The reference: at most 5 bytes inside [0, end), the 5th with no bits above 32.
        let value = 0;
        for (let i = 0; i < 5; i++) {
          if (i >= end) return got instanceof LoadError;
          const b = bytes[i]!;
          if (i === 4 && (b & 0xf0) !== 0) return got instanceof LoadError;
          value += (b & 0x7f) * 2 ** (7 * i);
          if ((b & 0x80) === 0) return !(got instanceof LoadError) && got.value === value && got.offset === i + 1;
        }
        return got instanceof LoadError;
      }),
    );
  });
});
