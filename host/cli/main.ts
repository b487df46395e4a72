#!/usr/bin/env node
/**
 * The `rdylib` command: `rdylib <command> [args]`. Each command is one module
 * in commands/; this file picks it, parses its arguments, and turns failures
 * into one line on standard error (what is wrong, what to do) and an exit
 * code: 1 for a failure, 2 for wrong usage. `--verbose` adds the stack.
 */
import { RdylibError } from '../errors.ts';
import { UsageError, parseCommandArgs, type Command, type Io } from './command.ts';
import { BuildError, ToolchainError } from './plugin-build/errors.ts';
import { packageVersion } from './plugin-build/package-root.ts';
import { buildCommand } from './commands/build.ts';
import { callCommand } from './commands/call.ts';
import { checkCommand } from './commands/check.ts';
import { inspectCommand } from './commands/inspect.ts';
import { newCommand } from './commands/new.ts';
import { typesCommand } from './commands/types.ts';
import { witCommand } from './commands/wit.ts';

const COMMANDS: readonly Command[] = [newCommand, buildCommand, inspectCommand, checkCommand, callCommand, typesCommand, witCommand];

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `rdylib ${packageVersion()}: build, inspect, check and call Rust plugins (WebAssembly components)

Usage: rdylib <command> [arguments] [--help] [--verbose]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

\`rdylib <command> --help\` describes a command. --verbose shows a failure's stack.
`;
}

/** Errors whose message is written for the user: shown without a stack. */
function isExplained(e: unknown): e is Error {
  return e instanceof RdylibError || e instanceof BuildError || e instanceof ToolchainError || (e instanceof Error && 'code' in e && (e.code === 'USAGE' || e.code === 'COMMAND'));
}

/** Runs one command line; returns the exit code. */
async function main(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(overview());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    io.out(`${packageVersion()}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  const verbose = rest.includes('--verbose');
  try {
    if (!command) throw new UsageError(`unknown command ${JSON.stringify(name)}; the commands are ${COMMANDS.map((c) => c.name).join(', ')} (\`rdylib --help\`)`);
    const parsed = parseCommandArgs(command, rest);
    if (parsed.help) {
      io.out(`${command.usage}\n`);
      return 0;
    }
    return await command.run(parsed, io);
  } catch (e) {
    const prefix = `rdylib${command ? ` ${command.name}` : ''}`;
    if (verbose && e instanceof Error) io.err(`${prefix}: ${e.stack ?? e.message}\n`);
    else if (isExplained(e)) io.err(`${prefix}: ${e.message}\n`);
    else io.err(`${prefix}: ${e instanceof Error ? e.message : String(e)} (an unexpected failure: run again with --verbose and report the stack)\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}

const io: Io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };
main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`rdylib: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  },
);
