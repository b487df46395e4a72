/** wasi:cli 0.2 for one plugin: its own environment, arguments, stdio and exit. */
import { TrapError } from '../errors.ts';
import { emptySource, InputStream, OutputStream, type Sink } from './io.ts';
import type { OutputGrant, WasiCapabilities } from './capabilities.ts';

function sinkFor(grant: OutputGrant | undefined, fd: 1 | 2): Sink {
  if (grant === undefined || grant === 'discard') return () => undefined;
  if (grant === 'inherit') {
    const p = (globalThis as { process?: { stdout: { write(b: Uint8Array): void }; stderr: { write(b: Uint8Array): void } } }).process;
    if (p === undefined) {
      const log = fd === 1 ? console.log : console.error;
      const dec = new TextDecoder();
      return (b) => log(dec.decode(b));
    }
    const out = fd === 1 ? p.stdout : p.stderr;
    return (b) => out.write(b.slice());
  }
  return (b) => grant(b.slice());
}

function sourceFor(bytes: Uint8Array | undefined): (max: number) => { bytes: Uint8Array; eof: boolean } {
  if (bytes === undefined) return emptySource;
  let at = 0;
  return (max) => {
    const chunk = bytes.slice(at, at + max);
    at += chunk.length;
    return { bytes: chunk, eof: chunk.length === 0 };
  };
}

class TerminalInput {}
class TerminalOutput {}

/** The wasi:cli interfaces, keyed by interface name without package version. */
export function cliInterfaces(caps: WasiCapabilities, pluginName: string): Record<string, Record<string, unknown>> {
  const env = Object.entries(caps.env ?? {}).map(([k, v]) => [k, v] as [string, string]);
  const args = [...(caps.args ?? [])];
  const stdin = new InputStream(sourceFor(caps.stdin));
  const stdout = new OutputStream(sinkFor(caps.stdout, 1));
  const stderr = new OutputStream(sinkFor(caps.stderr, 2));
  return {
    environment: {
      getEnvironment: () => env.map(([k, v]) => [k, v]),
      getArguments: () => [...args],
      initialCwd: () => caps.cwd,
    },
    exit: {
      // Ends the plugin, never the host process: the guest is unwound and poisoned.
      exit: (status: unknown) => {
        const ok = typeof status === 'object' && status !== null && (status as { tag?: string }).tag === 'ok';
        throw new TrapError(`${pluginName} called wasi:cli/exit with status ${ok ? 'ok' : 'err'}`);
      },
    },
    stdin: { getStdin: () => stdin },
    stdout: { getStdout: () => stdout },
    stderr: { getStderr: () => stderr },
    'terminal-input': { TerminalInput },
    'terminal-output': { TerminalOutput },
    'terminal-stdin': { getTerminalStdin: () => undefined },
    'terminal-stdout': { getTerminalStdout: () => undefined },
    'terminal-stderr': { getTerminalStderr: () => undefined },
  };
}
