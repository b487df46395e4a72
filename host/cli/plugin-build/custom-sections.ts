/**
 * Appending a custom section to a component: how the build puts the
 * rdylib:abi section at the component's top level. (Reading sections is the
 * host's reader, `readTopLevelCustomSections` in host/rdylib/section.ts.)
 */
import { encodeU32Leb128 } from '../../binary/leb128.ts';

const CUSTOM_SECTION_ID = 0;

/** A copy of `binary` with `section` appended as a top-level custom section. */
export function appendCustomSection(binary: Uint8Array, section: { readonly name: string; readonly data: Uint8Array }): Uint8Array {
  const name = new TextEncoder().encode(section.name);
  const body = [...encodeU32Leb128(name.length), ...name];
  const contentLength = body.length + section.data.length;
  const header = [CUSTOM_SECTION_ID, ...encodeU32Leb128(contentLength), ...body];
  const out = new Uint8Array(binary.length + header.length + section.data.length);
  out.set(binary, 0);
  out.set(header, binary.length);
  out.set(section.data, binary.length + header.length);
  return out;
}
