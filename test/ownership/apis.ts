/**
 * The JS shapes of the plugins the ownership suite drives, written once for
 * both modes: every call returns `Awaitable<T>` (a value in-process, a
 * Promise in a worker) and the tests `await` it.
 */
export type Awaitable<T> = T | Promise<T>;

// kv (guest-rust/examples/kv).
export interface Iter {
  next(): Awaitable<[string, string] | undefined>;
  remaining(): Awaitable<number>;
}
export interface Guard {
  get(k: string): Awaitable<string | undefined>;
  put(k: string, v: string): Awaitable<void>;
}
export interface Entry {
  key(): Awaitable<string>;
}
export interface Store {
  get(k: string): Awaitable<string | undefined>;
  put(k: string, v: string): Awaitable<string | undefined>;
  len(): Awaitable<number>;
  iter(): Awaitable<Iter>;
  lock(): Awaitable<Guard>;
  entry(k: string): Awaitable<Entry | undefined>;
  merge(other: Store): Awaitable<number>;
}
export interface Kv {
  Store: { new (): Awaitable<Store>; intoPairs(s: Store): Awaitable<[string, string][]>; fromPairs(p: [string, string][]): Awaitable<Store> };
  Guard: { commit(g: Guard): Awaitable<number> };
  countPrefix(store: Store, prefix: string): Awaitable<number>;
  entriesFrom(store: Store, start: string): Awaitable<object>;
}

// statics (guest-rust/examples/statics).
export interface View {
  value(): Awaitable<number>;
}
export interface Editor {
  set(v: number): Awaitable<void>;
}
export interface Cfg {
  name(): Awaitable<string>;
  value(): Awaitable<number>;
  set(v: number): Awaitable<void>;
  describe(): Awaitable<string>;
  view(): Awaitable<View>;
  edit(): Awaitable<Editor>;
}
export interface Statics {
  Cfg: { new (name: string, value: number): Awaitable<Cfg>; intoValue(c: Cfg): Awaitable<number> };
  config(): Awaitable<Cfg>;
  configs(): Awaitable<Cfg[]>;
  find(name: string): Awaitable<Cfg | undefined>;
  take(c: Cfg): Awaitable<number>;
  takeAll(list: unknown[]): Awaitable<number>;
  takePair(pair: [unknown, unknown]): Awaitable<number>;
  takeRecord(pair: { first: unknown; second: unknown }): Awaitable<number>;
  read(c: Cfg): Awaitable<number>;
  readStatic(c: Cfg): Awaitable<string>;
  copyInto(dst: Cfg, src: Cfg): Awaitable<void>;
  swap(a: Cfg, b: Cfg): Awaitable<void>;
  giveBack(c: Cfg): Awaitable<Cfg>;
  takeMaybe(c: unknown): Awaitable<number>;
  takeSlot(slot: { tag: 'empty' } | { tag: 'full'; val: unknown }): Awaitable<number>;
  takeNested(groups: [unknown, unknown][]): Awaitable<number>;
  readAndTake(keep: Cfg, list: unknown[]): Awaitable<number>;
}

// registry (guest-rust/examples/registry).
export interface Unit {
  symbol(): Awaitable<string>;
  rescale(f: number): Awaitable<void>;
}
export interface UnitRegistry {
  len(): Awaitable<number>;
  find(s: string): Awaitable<Unit | undefined>;
  all(): Awaitable<Unit[]>;
}
export interface Registry {
  registry(): Awaitable<UnitRegistry>;
}

// shapes (guest-rust/examples/shapes).
export interface Shape {
  name(): Awaitable<string>;
  area(): Awaitable<number>;
  scale(f: number): Awaitable<void>;
}
export interface Shapes {
  circle(r: number): Awaitable<Shape>;
  rect(w: number, h: number): Awaitable<Shape>;
  describe(s: Shape): Awaitable<string>;
  render(s: Shape, canvas: object): Awaitable<number>;
  totalArea(list: unknown[]): Awaitable<number>;
}

// mutator (guest-rust/examples/mutator), linked to shapes; in-process only (synchronous).
export interface Mutator {
  peek(s: object): number;
  grow(s: object, factor: number): number;
  growBy(dst: object, src: object): number;
  take(s: object): number;
  takeAll(list: unknown[]): number;
  takePair(pair: [unknown, unknown]): number;
}

// keeper (guest-rust/examples/keeper); in-process only (synchronous).
export interface Keeper {
  keep(o: object): number;
  keepAll(list: object[]): number;
  release(i: number): boolean;
  hit(i: number): number;
  kept(): number;
  poke(o: object): number;
}
