/**
 * UTF-8 string transfer for the raw columns, as cheap as a hand-written glue
 * can make it: short ASCII strings by hand (cheaper than a call into
 * TextEncoder/TextDecoder), everything else through them.
 */

const SHORT = 32;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const fromCharCode = String.fromCharCode;

/**
 * Views of a guest memory, made again only after it grew (growing detaches
 * the old buffer, so the old view's length drops to 0): the `memory.buffer`
 * getter and a new view per call would cost more than the call itself, and
 * a host keeps its views the same way.
 */
export class MemoryViews {
  #u8: Uint8Array;
  #dv: DataView;

  constructor(readonly memory: WebAssembly.Memory) {
    this.#u8 = new Uint8Array(memory.buffer);
    this.#dv = new DataView(memory.buffer);
  }

  bytes(): Uint8Array {
    if (this.#u8.length === 0) this.#refresh();
    return this.#u8;
  }

  dataView(): DataView {
    if (this.#u8.length === 0) this.#refresh();
    return this.#dv;
  }

  #refresh(): void {
    this.#u8 = new Uint8Array(this.memory.buffer);
    this.#dv = new DataView(this.memory.buffer);
  }
}

/** The guest's `cabi_realloc` with alignment 1: `(orig, origSize, newSize) => ptr`. */
export type Realloc1 = (orig: number, origSize: number, newSize: number) => number;

/**
 * Writes `s` as UTF-8 into guest memory; returns [ptr, len]. One pass, as a
 * host that knows no more than the string can do no better: `s.length` bytes
 * are allocated (exact when every code unit is ASCII, the common case) and
 * filled while checking; only a non-ASCII unit sends it to `storeNonAscii`.
 * Scanning first and copying after would read every code unit twice.
 */
export function storeUtf8(views: MemoryViews, realloc: Realloc1, s: string): [number, number] {
  const n = s.length;
  const ptr = realloc(0, 0, n);
  const u8 = views.bytes();
  if (n <= SHORT) {
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) return storeNonAscii(views, realloc, s, ptr);
      u8[ptr + i] = c;
    }
    return [ptr, n];
  }
  const r = encoder.encodeInto(s, u8.subarray(ptr, ptr + n));
  // n units read into n bytes: every unit was one byte, i.e. ASCII.
  return r.read === n && r.written === n ? [ptr, n] : storeNonAscii(views, realloc, s, ptr);
}

/** `s` has a non-ASCII unit: the `s.length` bytes at `ptr` are resized to its exact UTF-8 length. */
function storeNonAscii(views: MemoryViews, realloc: Realloc1, s: string, ptr: number): [number, number] {
  const bytes = encoder.encode(s);
  const at = realloc(ptr, s.length, bytes.length);
  views.bytes().set(bytes, at);
  return [at, bytes.length];
}

/** Reads `len` bytes of UTF-8 at `ptr`. */
export function loadUtf8(views: MemoryViews, ptr: number, len: number): string {
  const u8 = views.bytes();
  if (len <= SHORT) {
    let s = '';
    let i = 0;
    for (; i + 8 <= len; i += 8) {
      const p = ptr + i;
      const a = u8[p]!, b = u8[p + 1]!, c = u8[p + 2]!, d = u8[p + 3]!, e = u8[p + 4]!, f = u8[p + 5]!, g = u8[p + 6]!, h = u8[p + 7]!;
      if ((a | b | c | d | e | f | g | h) >= 0x80) return decoder.decode(u8.subarray(ptr, ptr + len));
      s += fromCharCode(a, b, c, d, e, f, g, h);
    }
    for (; i < len; i++) {
      const a = u8[ptr + i]!;
      if (a >= 0x80) return decoder.decode(u8.subarray(ptr, ptr + len));
      s += fromCharCode(a);
    }
    return s;
  }
  return decoder.decode(u8.subarray(ptr, ptr + len));
}

/**
 * The `$root` `rdylib-panic` import for a raw instance: the SDK calls it with
 * the panic message and location just before it traps; thrown as an Error.
 */
export function panicImport(memory: () => WebAssembly.Memory): Record<string, (...args: number[]) => never> {
  return {
    'rdylib-panic': (msgPtr, msgLen, filePtr, fileLen, line, column) => {
      const m = new MemoryViews(memory());
      throw new Error(`plugin panicked: ${loadUtf8(m, msgPtr!, msgLen!)} at ${loadUtf8(m, filePtr!, fileLen!)}:${line}:${column}`);
    },
  };
}
