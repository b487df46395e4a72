/**
 * Per-plugin resource limits that the Canonical ABI itself does not bound
 * tightly enough to protect the host:
 *
 * - `maxLiftBytes`: bytes of strings and lists one call may lift out of (or
 *   into) guest memory. The spec only bounds each string or list by its own
 *   range, and many list elements may point at the same range, so 64 KiB of
 *   memory can describe gigabytes of JS strings.
 * - `maxHandles`: live handles in one instance's table. The spec allows
 *   2^28 - 1, which a guest calling `resource.new` in a loop turns into
 *   gigabytes of host memory.
 *
 * Every ComponentInstance holds its limits; a Plugin checks the ones a user
 * gives (host/plugin/limits.ts) and passes them to every instance its
 * instantiation creates, nested ones included, at every instantiation
 * (reload too).
 */

export interface InstanceLimits {
  readonly maxLiftBytes: number;
  readonly maxHandles: number;
}

export const DEFAULT_MAX_LIFT_BYTES = 64 * 1024 * 1024;
export const DEFAULT_MAX_HANDLES = 2 ** 20;

export const DEFAULT_LIMITS: InstanceLimits = { maxLiftBytes: DEFAULT_MAX_LIFT_BYTES, maxHandles: DEFAULT_MAX_HANDLES };
