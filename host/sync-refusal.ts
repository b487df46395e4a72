/**
 * Work a JavaScript engine may refuse to do synchronously on the thread
 * that asks (compiling and instantiating core modules), and which of it
 * `load` then does asynchronously. Sits below validation (core compiles)
 * and the runtime (core instantiations), which both use it.
 *
 * Chromium 156 on a page's main thread refuses both synchronous calls for a
 * module over 8 MB (some embedders set the limit at 4 KB), before doing
 * anything else. Blink installs two overrides
 * (third_party/blink/renderer/bindings/core/v8/v8_initializer.cc), which V8
 * calls before it starts the work, and both refuse by one test on the same
 * bytes: on the main thread, unless the WebAssemblyUnlimitedSyncCompilation
 * feature is on, `WasmModuleOverride` refuses when the buffer's
 * `ByteLength() > kWasmWireBytesLimit`, and `WasmInstanceOverride` when the
 * module's `GetCompiledModule().GetWireBytesRef().size() > kWasmWireBytesLimit`
 * (its wire bytes are the bytes it was compiled from), with
 * `kWasmWireBytesLimit = 1 << 23` (older versions: `1 << 12`). So a module
 * whose synchronous compile was refused on a thread will have its synchronous
 * instantiation there refused too: it is instantiated asynchronously from the
 * start (validate/core-compile.ts `compileRefusedHere`). The texts:
 *   RangeError: WebAssembly.Compile is disallowed on the main thread, if the buffer size is larger than 8MB. Use
 *     WebAssembly.compile, compile on a worker thread, or use the flag `--enable-features=WebAssemblyUnlimitedSyncCompilation`.
 *   RangeError: WebAssembly.Instance is disallowed on the main thread, if the buffer size is larger than 8MB. Use
 *     WebAssembly.instantiate, or use the flag `--enable-features=WebAssemblyUnlimitedSyncCompilation`.
 */

/**
 * Where core compiles and instantiations run: `'never'` asynchronously
 * (every one synchronously; a refusal is final); `'when-refused'`
 * synchronously, and asynchronously only one the engine refused to do
 * synchronously here (what `load` and `reload` do); `'always'`
 * asynchronously (tests drive the asynchronous route with it on engines
 * that refuse nothing).
 */
export type AsyncEngineWork = 'never' | 'when-refused' | 'always';

/**
 * Whether `e`, thrown by a synchronous `new WebAssembly.Module` or
 * `new WebAssembly.Instance`, may be a refusal to do that work synchronously
 * on this thread: a RangeError, which is neither a CompileError, a LinkError
 * nor a RuntimeError (a module or instance that is wrong) nor a JS error
 * from the imports. No message text is read (engines word it differently,
 * and a 4 KB embedder's differs from Chromium's): the asynchronous call is
 * tried again and its verdict is final, so an engine RangeError for any
 * other reason (out of memory, a module too large for the engine at all)
 * fails there again. A refused compile changed nothing; a refused
 * instantiation neither (Blink checks the size first), but a RangeError from
 * `new WebAssembly.Instance` may also come from a start function that
 * overflowed the stack after it ran, so an instantiation is never tried
 * again after such a RangeError but for a module without a start function,
 * which runs no code when instantiated (runtime/instantiate.ts
 * `instantiateCore`); a module whose compile was refused here is not tried
 * synchronously at all (above).
 */
export function refusedSynchronously(e: unknown): e is RangeError {
  return e instanceof RangeError;
}
