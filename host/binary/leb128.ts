/**
 * Unsigned LEB128, as the binary format writes lengths and counts: the one encoder for code
 * that writes bytes (the memory cap rewriting memory definitions, the build appending sections).
 * Reading is `Reader.u32` in reader.ts.
 */
export function encodeU32Leb128(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}
