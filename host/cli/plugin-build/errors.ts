/** A plugin could not be built: the message names the crate and what to change. */
export class BuildError extends Error {
  readonly code = 'BUILD' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BuildError';
  }
}

/** No Rust toolchain that can build wasm32 was found or could be installed. */
export class ToolchainError extends Error {
  readonly code = 'TOOLCHAIN' as const;
  constructor(message: string) {
    super(message);
    this.name = 'ToolchainError';
  }
}
