/**
 * Just enough of the wasm binary format for the guest build: list a core
 * module's top-level custom sections, and append a custom section to a
 * component. (The host's full reader lives in host/binary; the build only
 * needs section framing, which is the same for modules and components.)
 */

export interface CustomSection {
  readonly name: string;
  readonly payload: Uint8Array;
}

const PREAMBLE_LENGTH = 8; // magic (4 bytes) + version/layer (4 bytes)
const CUSTOM_SECTION_ID = 0;

function readU32Leb(bytes: Uint8Array, offset: number): { value: number; next: number } {
  let value = 0;
  let shift = 0;
  for (let i = offset; i < bytes.length && shift < 35; i++, shift += 7) {
    const byte = bytes[i]!;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return { value, next: i + 1 };
  }
  throw new Error(`malformed LEB128 length at byte ${offset}`);
}

function writeU32Leb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

/** Every top-level custom section of a wasm binary, in order. */
export function readCustomSections(bytes: Uint8Array): CustomSection[] {
  const sections: CustomSection[] = [];
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let offset = PREAMBLE_LENGTH;
  while (offset < bytes.length) {
    const id = bytes[offset]!;
    const size = readU32Leb(bytes, offset + 1);
    const end = size.next + size.value;
    if (end > bytes.length) throw new Error(`section at byte ${offset} runs past the end of the binary`);
    if (id === CUSTOM_SECTION_ID) {
      const nameLength = readU32Leb(bytes, size.next);
      const nameEnd = nameLength.next + nameLength.value;
      if (nameEnd > end) throw new Error(`custom section name at byte ${offset} runs past its section`);
      sections.push({
        name: decoder.decode(bytes.subarray(nameLength.next, nameEnd)),
        payload: bytes.subarray(nameEnd, end),
      });
    }
    offset = end;
  }
  return sections;
}

/** A copy of `binary` with `section` appended as a top-level custom section. */
export function appendCustomSection(binary: Uint8Array, section: CustomSection): Uint8Array {
  const name = new TextEncoder().encode(section.name);
  const body = [...writeU32Leb(name.length), ...name];
  const contentLength = body.length + section.payload.length;
  const header = [CUSTOM_SECTION_ID, ...writeU32Leb(contentLength), ...body];
  const out = new Uint8Array(binary.length + header.length + section.payload.length);
  out.set(binary, 0);
  out.set(header, binary.length);
  out.set(section.payload, binary.length + header.length);
  return out;
}
