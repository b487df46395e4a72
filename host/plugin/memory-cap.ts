/**
 * A cap on linear memory growth, applied to the bytes before they are
 * compiled: every memory a core module defines gets a maximum of at most
 * `maxBytes` (rounded down to 64 KiB pages), so `memory.grow` past the cap
 * returns -1 inside the guest instead of committing host memory.
 *
 * Only memory *definitions* (core section 5) are rewritten. Imported memories
 * are always some other core instance's definition, which is capped too, and
 * lowering a definition's maximum keeps every import that matched it matching
 * (an import's declared maximum must be >= the actual one).
 *
 * Sections are walked, not interpreted: anything the walker cannot follow is
 * reported as malformed, the same verdict the full parser would give.
 */
import { LoadError } from '../errors.ts';
import { encodeU32Leb128 } from '../binary/leb128.ts';

export const WASM_PAGE_SIZE = 65536;

const MAGIC = [0x00, 0x61, 0x73, 0x6d];
const COMPONENT_SECTION_CORE_MODULE = 1;
const COMPONENT_SECTION_COMPONENT = 4;
const CORE_SECTION_MEMORY = 5;

/** Returns `bytes` with every core memory's maximum lowered to `maxBytes`; `bytes` itself when nothing changes. */
export function capLinearMemory(bytes: Uint8Array, maxBytes: number): Uint8Array {
  if (!(Number.isFinite(maxBytes) && maxBytes >= 0)) throw new RangeError(`maxMemoryBytes must be a non-negative number, got ${maxBytes}`);
  const maxPages = Math.min(65536, Math.floor(maxBytes / WASM_PAGE_SIZE));
  if (bytes.length < 8 || MAGIC.some((b, i) => bytes[i] !== b)) return bytes; // the parser names the problem
  const layer = bytes[6]! | (bytes[7]! << 8);
  const out = layer === 0 ? rewriteModule(bytes, 0, bytes.length, maxPages) : rewriteComponent(bytes, 0, bytes.length, maxPages);
  return out === undefined ? bytes : out;
}

class Cursor {
  constructor(
    readonly b: Uint8Array,
    public pos: number,
    readonly end: number,
  ) {}

  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (this.pos >= this.end) throw new LoadError('malformed', 'unexpected end while reading a LEB128 integer', this.pos);
      const byte = this.b[this.pos++]!;
      if (shift === 28 && byte > 0x0f) throw new LoadError('malformed', 'LEB128 u32 out of range', this.pos - 1);
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7;
      if (shift > 28) throw new LoadError('malformed', 'LEB128 u32 too long', this.pos);
    }
  }

  byte(): number {
    if (this.pos >= this.end) throw new LoadError('malformed', 'unexpected end of section', this.pos);
    return this.b[this.pos++]!;
  }
}

/** One section: id, payload range. */
interface Section {
  id: number;
  start: number;
  end: number;
}

function sections(b: Uint8Array, start: number, end: number): Section[] {
  const c = new Cursor(b, start + 8, end);
  const out: Section[] = [];
  while (c.pos < end) {
    const id = c.byte();
    const size = c.u32();
    const s = c.pos;
    if (s + size > end) throw new LoadError('malformed', `section ${id} of ${size} bytes runs past the end`, s);
    out.push({ id, start: s, end: s + size });
    c.pos = s + size;
  }
  return out;
}

/** Re-encodes a binary from a header and (id, payload) parts. */
function assemble(header: Uint8Array, parts: { id: number; payload: Uint8Array }[]): Uint8Array {
  const chunks: Uint8Array[] = [header];
  let total = header.length;
  for (const p of parts) {
    const head = Uint8Array.from([p.id, ...encodeU32Leb128(p.payload.length)]);
    chunks.push(head, p.payload);
    total += head.length + p.payload.length;
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const ch of chunks) {
    out.set(ch, o);
    o += ch.length;
  }
  return out;
}

/** Returns the rewritten component, or undefined when nothing inside it changed. */
function rewriteComponent(b: Uint8Array, start: number, end: number, maxPages: number): Uint8Array | undefined {
  let changed = false;
  const parts = sections(b, start, end).map((s) => {
    let payload: Uint8Array | undefined;
    if (s.id === COMPONENT_SECTION_CORE_MODULE) payload = rewriteModule(b, s.start, s.end, maxPages);
    else if (s.id === COMPONENT_SECTION_COMPONENT) payload = rewriteComponent(b, s.start, s.end, maxPages);
    if (payload !== undefined) changed = true;
    return { id: s.id, payload: payload ?? b.subarray(s.start, s.end) };
  });
  return changed ? assemble(b.subarray(start, start + 8), parts) : undefined;
}

function rewriteModule(b: Uint8Array, start: number, end: number, maxPages: number): Uint8Array | undefined {
  let changed = false;
  const parts = sections(b, start, end).map((s) => {
    const payload = s.id === CORE_SECTION_MEMORY ? rewriteMemorySection(b, s.start, s.end, maxPages) : undefined;
    if (payload !== undefined) changed = true;
    return { id: s.id, payload: payload ?? b.subarray(s.start, s.end) };
  });
  return changed ? assemble(b.subarray(start, start + 8), parts) : undefined;
}

/** Core `memtype` limits: flag bit 0 = has max, bit 1 = shared, bit 2 = memory64, bit 3 = custom page size. */
function rewriteMemorySection(b: Uint8Array, start: number, end: number, maxPages: number): Uint8Array {
  const c = new Cursor(b, start, end);
  const count = c.u32();
  const out: number[] = encodeU32Leb128(count);
  for (let i = 0; i < count; i++) {
    const at = c.pos;
    const flags = c.byte();
    if (flags & 0b1100) {
      throw new LoadError('unsupported', `memory ${i}: 64-bit memories and custom page sizes cannot be capped (limits flags 0x${flags.toString(16)})`, at);
    }
    if (flags > 0b11) throw new LoadError('malformed', `memory ${i}: unknown limits flags 0x${flags.toString(16)}`, at);
    const min = c.u32();
    const max = flags & 1 ? c.u32() : undefined;
    if (min > maxPages) {
      throw new LoadError(
        'invalid',
        `memory ${i} starts at ${min} pages (${min * WASM_PAGE_SIZE} bytes), above maxMemoryBytes (${maxPages} pages)`,
        at,
      );
    }
    out.push(flags | 1, ...encodeU32Leb128(min), ...encodeU32Leb128(max === undefined ? maxPages : Math.min(max, maxPages)));
  }
  if (c.pos !== end) throw new LoadError('malformed', 'memory section has trailing bytes', c.pos);
  return Uint8Array.from(out);
}
