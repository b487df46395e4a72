/**
 * Name rules of Explainer.md "Import and Export Definitions": kebab-case
 * labels, extern names (plain and interface names) and strong uniqueness.
 */

const WORD = '[a-z][0-9a-z]*';
const LABEL = '(?:[a-z][0-9a-z]*|[A-Z][0-9A-Z]*)(?:-(?:[0-9a-z]+|[0-9A-Z]+))*';
const WORDS = `${WORD}(?:-[0-9a-z]+)*`;
// semver.org's grammar, kept literal: major.minor.patch, optional -pre and +build.
const NUM = '(?:0|[1-9][0-9]*)';
const IDENT = '[0-9A-Za-z-]+';
const SEMVER = `${NUM}\\.${NUM}\\.${NUM}(?:-${IDENT}(?:\\.${IDENT})*)?(?:\\+${IDENT}(?:\\.${IDENT})*)?`;
const CANON_VERSION = '(?:[1-9][0-9]*|0\\.[1-9][0-9]*|0\\.0\\.[1-9][0-9]*|0\\.0\\.0)';

const labelRe = new RegExp(`^${LABEL}$`);
const plainRe = new RegExp(
  `^(?:(${LABEL})|\\[constructor\\](${LABEL})|\\[method\\](${LABEL})\\.(${LABEL})|\\[static\\](${LABEL})\\.(${LABEL}))$`,
);
const interfaceRe = new RegExp(`^(?:${WORDS}:)+${WORDS}(?:/${LABEL})+(?:@(${SEMVER}|${CANON_VERSION}))?$`);

/** Nested namespaces and projections (🪺) are not enabled: exactly one of each. */
const simpleInterfaceRe = new RegExp(`^${WORDS}:${WORDS}/${LABEL}(?:@(?:${SEMVER}|${CANON_VERSION}))?$`);

export function isLabel(s: string): boolean {
  return labelRe.test(s);
}

export type ParsedExternName =
  | { readonly kind: 'label'; readonly label: string }
  | { readonly kind: 'constructor'; readonly resource: string }
  | { readonly kind: 'method' | 'static'; readonly resource: string; readonly name: string }
  | { readonly kind: 'interface'; readonly name: string };

/**
 * Names that locate a package or artifact rather than name an item
 * (`unlocked-dep=<…>`, `locked-dep=<…>`, `url=<…>`, `integrity=<…>`): valid in
 * the component model, but this host keys imports by plain and interface names
 * only, so it implements neither their grammar nor their meaning. Returns the
 * form's name, for the `unsupported` refusal validation gives before parsing.
 */
export function locatorNameForm(s: string): string | undefined {
  return /^(unlocked-dep|locked-dep|url|integrity)=/.exec(s)?.[1];
}

/** Parses an extern name, or returns a reason it is not one. */
export function parseExternName(s: string): ParsedExternName | string {
  const m = plainRe.exec(s);
  if (m !== null) {
    if (m[1] !== undefined) return { kind: 'label', label: m[1] };
    if (m[2] !== undefined) return { kind: 'constructor', resource: m[2] };
    if (m[3] !== undefined) return { kind: 'method', resource: m[3], name: m[4]! };
    return { kind: 'static', resource: m[5]!, name: m[6]! };
  }
  if (simpleInterfaceRe.test(s)) return { kind: 'interface', name: s };
  // 🪺 nested names stay invalid, not unsupported: without the feature both reference suites
  // (the spec's extern-names.wast and wasm-tools' import.wast) require them to be refused as invalid.
  if (interfaceRe.test(s)) return `\`${s}\` uses nested namespaces or packages (🪺), which are invalid without that feature`;
  return `\`${s}\` is not a valid extern name`;
}

/** An interface name without its `@version` (`ns:pkg/iface@1.2.3` → `ns:pkg/iface`); other names unchanged. */
export function unversionedName(name: string): string {
  const at = name.indexOf('@');
  return at < 0 ? name : name.slice(0, at);
}

/** The `@version` of an interface name, or undefined when it has none. */
export function versionOf(name: string): string | undefined {
  const at = name.indexOf('@');
  return at < 0 ? undefined : name.slice(at + 1);
}

/** Explainer.md "Name Uniqueness": the canonical form two names must differ in. */
export function canonicalName(s: string): string {
  const lower = s.toLowerCase();
  // Only annotated names (`[...]...`) have more to strip; most names are plain, and need no regex.
  if (lower.charCodeAt(0) !== 0x5b) return lower;
  const m = /^\[(method|static)\]([^.]*)\.(.*)$/.exec(lower);
  if (m !== null) return m[2] === m[3] ? m[2]! : `${m[2]}.${m[3]}`;
  if (lower.startsWith('[constructor]')) return lower;
  const ann = /^\[[^\]]*\](.*)$/.exec(lower);
  return ann !== null ? ann[1]! : lower;
}

/** Tracks names in one scope and reports the first that is not strongly-unique. */
export class UniqueNames {
  private readonly seen = new Map<string, string>();

  /** Returns the earlier conflicting name, or undefined after recording `name`. */
  add(name: string): string | undefined {
    const key = canonicalName(name);
    const prev = this.seen.get(key);
    if (prev !== undefined) return prev;
    this.seen.set(key, name);
    return undefined;
  }
}
