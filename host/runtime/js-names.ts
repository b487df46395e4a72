/** jco's JS naming of WIT names: functions camelCase, resource classes PascalCase. */
import { toCamelCase } from '../abi/names.ts';
import { parseExternName, type ParsedExternName } from '../validate/names.ts';

/**
 * Every load of a component names the same exports again (a warm load from
 * the compile cache does little else), so each answer is kept, keyed by the
 * name. Bounded: past this many names a cache starts afresh, so a process
 * that loads many different components does not grow without end.
 */
const MAX_REMEMBERED_NAMES = 4096;

function remembered<T>(compute: (name: string) => T): (name: string) => T {
  const known = new Map<string, T>();
  return (name) => {
    let v = known.get(name);
    if (v === undefined) {
      if (known.size >= MAX_REMEMBERED_NAMES) known.clear();
      known.set(name, (v = compute(name)));
    }
    return v;
  };
}

export const camel: (name: string) => string = remembered(toCamelCase);

export const pascal: (name: string) => string = remembered((name) => {
  const c = toCamelCase(name);
  return c.charAt(0).toUpperCase() + c.slice(1);
});

/** Parses a name that validation already accepted. The result is shared: treat it as read-only. */
export const parsedName: (name: string) => ParsedExternName = remembered((name) => {
  const p = parseExternName(name);
  if (typeof p === 'string') return { kind: 'label', label: name };
  return p;
});
