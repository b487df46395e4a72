/**
 * Compiling the core modules a component embeds, the one place validation
 * hands bytes to the JS engine: synchronously (`new WebAssembly.Module`), or
 * started in the background (`WebAssembly.compile`, which `load` can wait
 * for), with one mapping of the engine's refusals to LoadError for both.
 *
 * Why in the background at all: browsers refuse a synchronous compile of a
 * large module on the main thread (Chromium: over 8 MB, 4 KB in some
 * embedders), so `load` could not load a big plugin in a page.
 */
import { LoadError } from '../errors.ts';
import { refusedSynchronously, type AsyncEngineWork } from '../sync-refusal.ts';

/** Core section ids in the order the core binary format requires (custom sections aside). */
const CORE_SECTION_ORDER: Record<number, number> = { 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 13: 6, 6: 7, 7: 8, 8: 9, 9: 10, 12: 11, 10: 12, 11: 13 };

/**
 * The core module's framing (header and section order) is part of being
 * well-formed, so problems there are 'malformed'; everything inside sections
 * is left to the engine's compile, whose refusals are 'invalid'. Returns
 * whether the module has a start section.
 */
function checkCoreFraming(bytes: Uint8Array, offset: number): boolean {
  const header = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  if (bytes.length < 8 || header.some((b, i) => bytes[i] !== b)) {
    throw new LoadError('malformed', 'core module: expected a version header for a module (\\0asm 1 0 0 0)', offset);
  }
  let pos = 8;
  let last = 0;
  let start = false;
  while (pos < bytes.length) {
    const id = bytes[pos++]!;
    let size = 0;
    // `place` multiplies rather than `2 ** shift`, which unoptimised code returns as a heap number
    // (reader.ts `u32Long`): `pos` would then be a heap number for the rest of the module.
    for (let shift = 0, place = 1; ; shift += 7, place *= 0x80) {
      if (pos >= bytes.length || shift > 28) throw new LoadError('malformed', 'core module: bad section size', offset + pos);
      const b = bytes[pos++]!;
      size += (b & 0x7f) * place;
      if ((b & 0x80) === 0) break;
    }
    if (id !== 0) {
      const rank = CORE_SECTION_ORDER[id];
      if (rank === undefined) throw new LoadError('malformed', `core module: malformed section id ${id}`, offset + pos);
      if (rank <= last) throw new LoadError('malformed', `core module: section out of order (section id ${id})`, offset + pos);
      last = rank;
      if (id === 8) start = true;
    }
    if (pos + size > bytes.length) throw new LoadError('malformed', `core module: section ${id} runs past the end of the module`, offset + pos);
    pos += size;
  }
  return start;
}

/**
 * The modules compiled here that have no start function: instantiating one
 * runs none of its code (nor any import), so an instantiation the engine
 * refused although it compiled the module synchronously can be tried again
 * (runtime/instantiate.ts `instantiateCore`).
 */
const withoutStart = new WeakSet<WebAssembly.Module>();

/** Whether `module` was compiled here from bytes without a start section (one from elsewhere: false). */
export function runsNoCodeWhenInstantiated(module: WebAssembly.Module): boolean {
  return withoutStart.has(module);
}

/**
 * The modules compiled here in the background because the engine refused to
 * compile them synchronously on this thread. Blink refuses a synchronous
 * instantiation of such a module here too, by the same test on the same bytes
 * (sync-refusal.ts), so they are instantiated asynchronously from the start
 * (runtime/instantiate.ts `instantiateCore`), start function or not: nothing
 * is tried twice, so nothing runs twice. Kept with the module, so a load that
 * finds it in the compile cache routes it the same way.
 */
const refusedHere = new WeakSet<WebAssembly.Module>();

/** Whether the engine refused to compile `module` synchronously on this thread (it was compiled here in the background). */
export function compileRefusedHere(module: WebAssembly.Module): boolean {
  return refusedHere.has(module);
}

/** `module`, recorded: whether it has a start function; `refused`: the engine refused its synchronous compile here. */
function compiled(module: WebAssembly.Module, hasStart: boolean, refused: boolean): WebAssembly.Module {
  if (!hasStart) withoutStart.add(module);
  if (refused) refusedHere.add(module);
  return module;
}

/** Compiles the core module at `offset` now. Throws LoadError ('malformed' | 'invalid' | 'unsupported'). */
export function compileCoreModule(bytes: Uint8Array, offset: number): WebAssembly.Module {
  const hasStart = checkCoreFraming(bytes, offset);
  return compiled(compileOnThisThread(bytes, offset, false)!, hasStart, false);
}

/**
 * `new WebAssembly.Module(bytes)`, its refusal as LoadError; or, when
 * `orInBackground`, undefined where the engine may have refused to compile
 * this module synchronously on this thread (sync-refusal.ts: the
 * asynchronous compile is then tried, and its verdict is final).
 */
function compileOnThisThread(bytes: Uint8Array, offset: number, orInBackground: boolean): WebAssembly.Module | undefined {
  try {
    return new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  } catch (e) {
    if (orInBackground && refusedSynchronously(e)) return undefined;
    throw compileFailure(e, bytes.length, offset, true);
  }
}

/**
 * A core module being compiled in the background. `done` settles once the
 * engine compiled or refused it and never rejects, so a refusal nobody ends
 * up asking about is never an unhandled rejection.
 */
export class StartedCompile {
  readonly done: Promise<void>;
  #module: WebAssembly.Module | undefined;
  #failure: LoadError | undefined;

  /** `refused`: the engine refused to compile these bytes synchronously on this thread. */
  constructor(bytes: Uint8Array, offset: number, hasStart: boolean, refused: boolean) {
    // The engine copies the bytes before this returns (JS API: "a copy of the bytes held by the buffer").
    this.done = WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>).then(
      (module) => {
        this.#module = compiled(module, hasStart, refused);
      },
      (e: unknown) => {
        this.#failure = compileFailure(e, bytes.length, offset, false);
      },
    );
  }

  /** The refusal, once `done` settled with one. */
  get failure(): LoadError | undefined {
    return this.#failure;
  }

  /** The compiled module; only once `done` settled without a failure. */
  get module(): WebAssembly.Module {
    if (this.#module === undefined) throw new Error('internal error: a core module was used before its compile succeeded');
    return this.#module;
  }
}

/**
 * The compiles one validation started in the background, in the order
 * validation reached their definitions, which is the order their failures
 * take: the first failing definition wins, and a core module that does not
 * compile fails at its definition, before anything validation found after
 * it (a module compiled on this thread fails there and then).
 *
 * Where it compiles (`AsyncEngineWork`, sync-refusal.ts): `'never'` in the
 * background, every module on this thread (a refusal throws);
 * `'when-refused'` on this thread, and in the background only a module the
 * engine will not compile synchronously here (Chromium's main thread: over
 * 8 MB); `'always'` in the background. `load` uses `'when-refused'`, measured: on Node 20, background compiles
 * move V8's decoding and validation of a module off the main thread (types'
 * 63 KB module: 0.94 -> 0.13 M instructions on it per load), but the wait
 * for the result (V8 finishes a compile in tasks on the main thread, after
 * validation returned to the event loop) costs about what was saved, and on
 * two cores V8's optimising-compiler jobs, which follow every cold load, hold
 * up the background compile by milliseconds.
 */
export class StartedCompiles {
  readonly #started: StartedCompile[] = [];
  readonly #background: AsyncEngineWork;

  constructor(background: AsyncEngineWork) {
    this.#background = background;
  }

  /** Whether any compile runs in the background (else every module is compiled, and none failed). */
  get waiting(): boolean {
    return this.#started.length > 0;
  }

  /**
   * Checks the framing now (a 'malformed' refusal is this definition's own),
   * then compiles on this thread (a refusal throws now), or starts the
   * compile in the background.
   */
  start(bytes: Uint8Array, offset: number): WebAssembly.Module | StartedCompile {
    const hasStart = checkCoreFraming(bytes, offset);
    const tried = this.#background !== 'always';
    const now = tried ? compileOnThisThread(bytes, offset, this.#background === 'when-refused') : undefined;
    if (now !== undefined) return compiled(now, hasStart, false);
    const c = new StartedCompile(bytes, offset, hasStart, tried);
    this.#started.push(c);
    return c;
  }

  /**
   * Waits for every compile started so far, in order, and throws the first
   * refusal; a later compile's refusal is never reached once an earlier one
   * failed (its `done` is handled all the same).
   */
  async settled(): Promise<void> {
    for (const c of this.#started) {
      await c.done;
      if (c.failure !== undefined) throw c.failure;
    }
  }
}

/**
 * The engine's refusal of the core module at `offset` as a LoadError, the
 * same whichever API compiled it; `synchronously`: by `new WebAssembly.Module`.
 */
function compileFailure(e: unknown, size: number, offset: number, synchronously: boolean): LoadError {
  const msg = engineMessage(e);
  if (refusedSynchronously(e)) {
    // Reached synchronously only where nothing compiles in the background (`compile`, `validateComponent`).
    const what = synchronously
      ? 'this JavaScript engine will not compile it synchronously on this thread (a browser\'s main thread: over 8 MB); `load` compiles it asynchronously, or load it in a worker'
      : 'this JavaScript engine will not compile it';
    return new LoadError('unsupported', `core module of ${size} bytes: ${what}: ${msg}`, offset, { cause: e });
  }
  const feature = engineMissingFeature(msg);
  if (feature !== undefined) {
    return new LoadError('unsupported', `core module uses ${feature}, which this JavaScript engine cannot compile: ${msg}`, offset, { cause: e });
  }
  return new LoadError('invalid', `core module does not validate: ${msg}`, offset, { cause: e });
}

/**
 * The engine's message without the API it names: V8 starts its messages with
 * the API called (`WebAssembly.Module(): `, `WebAssembly.compile(): `,
 * `WebAssembly.Instance(): `, `WebAssembly.instantiate(): `), which would
 * make the synchronous and the asynchronous call's messages differ.
 */
export function engineMessage(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).replace(/^WebAssembly\.\w+\(\): /, '');
}

/**
 * The core wasm proposal a compile error says the engine lacks, if any. The
 * engine, not the component, decides these (V8 names a flag for features it
 * has behind one; limits flags name memory64, table64 and custom page sizes;
 * V8 without multi-memory allows one memory), so a module refused for them is
 * `unsupported` here, and valid under wasm-tools' default features.
 */
function engineMissingFeature(message: string): string | undefined {
  const flag = /--experimental-wasm-([a-z0-9_-]+)/.exec(message);
  if (flag !== null) return `the ${flag[1]} proposal`;
  const limits = /invalid (memory|table) (?:elements )?limits flags(?: 0x([0-9a-f]+))?/.exec(message);
  if (limits !== null) {
    const flags = limits[2] === undefined ? undefined : parseInt(limits[2], 16);
    if (flags !== undefined && (flags & 0x08) !== 0) return 'custom page sizes';
    if (limits[1] === 'table' || (flags !== undefined && (flags & 0x04) !== 0)) return `64-bit ${limits[1]}s (memory64)`;
  }
  if (/memory count of \d+ exceeds internal limit of 1/.test(message)) return 'multiple memories (multi-memory)';
  return undefined;
}
