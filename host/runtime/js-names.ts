/** jco's JS naming of WIT names: functions camelCase, resource classes PascalCase. */
import { toCamelCase } from '../abi/names.ts';
import { parseExternName, type ParsedExternName } from '../validate/names.ts';

export function camel(name: string): string {
  return toCamelCase(name);
}

export function pascal(name: string): string {
  const c = toCamelCase(name);
  return c.charAt(0).toUpperCase() + c.slice(1);
}

/** Parses a name that validation already accepted. */
export function parsedName(name: string): ParsedExternName {
  const p = parseExternName(name);
  if (typeof p === 'string') return { kind: 'label', label: name };
  return p;
}
