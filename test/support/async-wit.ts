/**
 * A component made from WIT with async functions, streams, futures and
 * error-context (wit-component's dummy implementation, through jco): what
 * validation, WIT printing and declarations are checked against while no
 * guest of this project uses async yet.
 */
import { componentEmbed, componentNew } from '../../scripts/lib/jco.ts';

export const ASYNC_WIT = `package demo:streams@0.1.0;

interface host-side {
  wait: async func(ms: u32);
}

interface pipes {
  record chunk {
    data: list<u8>,
  }
  pump: async func(input: stream<u8>) -> future<result<u32, error-context>>;
  fetch: async func(url: string) -> string;
  chunks: func() -> stream<chunk>;
  unit: func(s: stream, f: future);
}

world plugin {
  import host-side;
  export pipes;
}
`;

export async function buildAsyncComponent(): Promise<Uint8Array> {
  return componentNew(await componentEmbed({ dummy: true, witSource: ASYNC_WIT, world: 'plugin' }));
}
