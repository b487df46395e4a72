/**
 * For scenarios with a plugin task pending on the host: host calls that wait
 * until the scenario opens their gate, and running such a task to its end.
 */
export class Gates {
  readonly #waiting: (() => void)[] = [];

  /** Resolves when the scenario opens it. */
  wait(): Promise<void> {
    return new Promise((open) => this.#waiting.push(open));
  }

  openAll(): void {
    for (const open of this.#waiting.splice(0)) open();
  }
}

/**
 * A host `Source` of the pipeline example whose every call waits until the
 * scenario opens `gates`. A class, since jco takes one for an imported
 * resource (rdylib takes any object with the methods).
 */
export class GatedSource {
  constructor(
    private readonly gates: Gates,
    private readonly chunks: Uint8Array[],
  ) {}

  async nextChunk(): Promise<Uint8Array | undefined> {
    await this.gates.wait();
    return this.chunks.shift();
  }

  async name(): Promise<string> {
    await this.gates.wait();
    return 'gated';
  }
}

/** Lets the plugin's pending task run up to its next await on the host. */
export const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/** Runs `pending` (a call that waits on the host) to completion, opening every gate it waits at. */
export async function finish<T>(pending: Promise<T>, gates: Gates): Promise<T> {
  let done = false;
  void pending.then(
    () => (done = true),
    () => (done = true),
  );
  while (!done) {
    await settle();
    gates.openAll();
  }
  return pending;
}
