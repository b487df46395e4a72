/**
 * The example plugins the playground ships (built by `npm run build:guests`,
 * copied next to the page by scripts/playground.ts), with what each needs
 * to load: host imports it asks for, or another plugin to link against.
 * Read by the page and by the build, so the two cannot disagree.
 */

export interface Example {
  /** Crate name; the page fetches `examples/<name>.wasm` and `examples/<name>.rs`. */
  readonly name: string;
  readonly title: string;
  readonly about: string;
  /** The plugin this one imports an interface from: loaded first and linked. */
  readonly linkTo?: string;
  /** Host imports the page supplies (the shapes example draws on a host canvas). */
  readonly hostImports?: 'svg-canvas';
}

export const EXAMPLES: readonly Example[] = [
  { name: 'kv', title: 'kv', about: 'a key-value store whose iterators, entries and lock guard borrow the store' },
  { name: 'shapes', title: 'shapes', about: 'Box<dyn Shape> trait objects drawing on a canvas the page implements', hostImports: 'svg-canvas' },
  { name: 'registry', title: 'registry', about: "library-static data: &'static handles valid until unload" },
  { name: 'types', title: 'types', about: 'records, enums, variants, options, results, flags, tuples and lists round-tripped' },
  { name: 'consumer', title: 'consumer', about: "imports shapes' Shape trait: linked against the shapes plugin", linkTo: 'shapes' },
  { name: 'faults', title: 'faults', about: 'goes wrong on purpose: a loop that never ends, an abort that traps' },
];

/** A second build of kv that breaks compatibility, made at build time from kv itself. */
export const INCOMPATIBLE_KV = {
  file: 'kv-v2',
  title: 'kv v2 (incompatible)',
  about: 'kv rebuilt with `Store::iter(&mut self)`: checked against the original kv it is refused',
  /** The example whose build it is checked against by default. */
  expect: 'kv',
  /** The change, as a diff of the Rust source. */
  change: [
    "-        pub fn iter<'a>(&'a self) -> Iter<'a> {",
    "+        pub fn iter<'a>(&'a mut self) -> Iter<'a> {",
  ],
} as const;
