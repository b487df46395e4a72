/**
 * Test fixtures for the `rdylib:abi` section: re-encode a (possibly forged)
 * section and put it into a component in place of the real one, the way a
 * lying plugin would ship it. Layout as in docs/abi.md: magic, u16 format
 * version, u32 JSON length (little-endian), JSON document.
 */
import { appendCustomSection } from '../../host/cli/plugin-build/custom-sections.ts';
import { concatBytes } from './bytes.ts';
import {
  RDYLIB_ABI_ASYNC_FORMAT_VERSION,
  RDYLIB_ABI_FORMAT_VERSION,
  RDYLIB_ABI_MAGIC,
  RDYLIB_ABI_SECTION,
  readRdylibAbi,
  readTopLevelCustomSections,
  type RdylibAbi,
} from '../../host/rdylib/section.ts';

export function encodeAbiPayload(abi: unknown, version = RDYLIB_ABI_FORMAT_VERSION): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(abi));
  const out = new Uint8Array(RDYLIB_ABI_MAGIC.length + 6 + json.length);
  out.set(RDYLIB_ABI_MAGIC, 0);
  const view = new DataView(out.buffer);
  view.setUint16(RDYLIB_ABI_MAGIC.length, version, true);
  view.setUint32(RDYLIB_ABI_MAGIC.length + 2, json.length, true);
  out.set(json, RDYLIB_ABI_MAGIC.length + 6);
  return out;
}

/** `component` without its top-level rdylib:abi section(s). */
export function withoutAbiSection(component: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [component.subarray(0, 8)];
  let kept = 8;
  for (const section of readTopLevelCustomSections(component)) {
    if (section.name !== RDYLIB_ABI_SECTION) continue;
    parts.push(component.subarray(kept, section.offset));
    kept = section.data.byteOffset - component.byteOffset + section.data.length;
  }
  parts.push(component.subarray(kept));
  return concatBytes(parts);
}

/** `component` with its rdylib:abi section replaced by `edit` applied to a deep copy of it. */
export function withForgedAbi(component: Uint8Array, edit: (abi: RdylibAbi) => unknown): Uint8Array {
  const real = readRdylibAbi(component);
  if (!real) throw new Error('the component has no rdylib:abi section to forge');
  const copy = structuredClone(real) as RdylibAbi;
  const forged = edit(copy) ?? copy;
  return appendCustomSection(withoutAbiSection(component), { name: RDYLIB_ABI_SECTION, data: encodeAbiPayload(forged, versionFor(forged)) });
}

/** The version the SDK would write for `abi`: 2 once a function is async (docs/abi.md §3.2). */
function versionFor(abi: unknown): number {
  const functions = (abi as Partial<RdylibAbi>).interfaces?.flatMap((i) => i.functions ?? []) ?? [];
  return functions.some((f) => f.async === true) ? RDYLIB_ABI_ASYNC_FORMAT_VERSION : RDYLIB_ABI_FORMAT_VERSION;
}

/**
 * The kv example with `Store::iter` now `&mut self` and its iterator borrowing
 * the store exclusively: a build a host made against kv must refuse.
 */
export function withExclusiveIter(kv: Uint8Array): Uint8Array {
  return withForgedAbi(kv, (abi) => {
    const f = abi.interfaces.flatMap((i) => i.functions).find((x) => x.name === '[method]store.iter') as unknown as {
      receiver: string;
      params: { mode: string }[];
      results: { borrows: { mode: string }[] }[];
    };
    f.receiver = 'exclusive';
    f.params[0]!.mode = 'exclusive';
    f.results[0]!.borrows[0]!.mode = 'exclusive';
    return abi;
  });
}
