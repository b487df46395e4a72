/** JS naming of WIT identifiers, as jco does: kebab-case record fields and flags become camelCase. */
export function toCamelCase(name: string): string {
  return name.replace(/-([a-z0-9])/gi, (_m, c: string) => c.toUpperCase());
}
