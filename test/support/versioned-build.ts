/**
 * A build of an example plugin whose interface version is bumped, without a
 * second cargo build: what `#[rdylib::export(version = "…")]` changes in the
 * binary is the interface's name (`ns:pkg/iface@version`, wherever the
 * component and its core module spell it) and the section's
 * `interfaceVersion`. Versions of equal length keep every section size as
 * it was, so the name can be rewritten in place.
 */
import { withForgedAbi } from './abi-section.ts';

export function withInterfaceVersion(component: Uint8Array, interfaceName: string, version: string): Uint8Array {
  const at = interfaceName.indexOf('@');
  if (at < 0) throw new Error(`${interfaceName} has no version to bump`);
  const from = new TextEncoder().encode(interfaceName);
  const to = new TextEncoder().encode(`${interfaceName.slice(0, at)}@${version}`);
  if (from.length !== to.length) throw new Error(`version ${version} must be as long as ${interfaceName.slice(at + 1)} to be rewritten in place`);
  const out = component.slice();
  let count = 0;
  for (let i = out.indexOf(from[0]!); i >= 0 && i <= out.length - from.length; i = out.indexOf(from[0]!, i + 1)) {
    if (from.every((b, k) => out[i + k] === b)) {
      out.set(to, i);
      count++;
    }
  }
  if (count === 0) throw new Error(`${interfaceName} does not occur in the component`);
  return withForgedAbi(out, (abi) => ({ ...abi, interfaceVersion: version }));
}
