/** For scripts run with `node --expose-gc` (test/unload/*-cycles.ts). */
const gc = (globalThis as { gc?: () => void }).gc;

/** Full collections with turns of the event loop between them, so WeakRefs clear and finalizers run. */
export async function collect(): Promise<void> {
  if (gc === undefined) throw new Error('run with node --expose-gc');
  for (let i = 0; i < 6; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
}
