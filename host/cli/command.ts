/**
 * What every subcommand of `rdylib` is: a name, a one-line summary, its
 * usage text (its `--help`), the options `util.parseArgs` reads, and what it
 * does. A subcommand returns its exit code; failures are thrown and printed
 * by main.ts as one line (the stack only with --verbose).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Output streams, so tests and callers can capture them. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export interface Command {
  readonly name: string;
  readonly summary: string;
  /** `rdylib <name> …` synopsis (first line), then a description of arguments and options. */
  readonly usage: string;
  readonly options: OptionSpec;
  run(parsed: Parsed, io: Io): Promise<number>;
}

export interface Parsed {
  /** Option values as parseArgs gives them: booleans, strings, or string arrays for `multiple`. */
  readonly values: Readonly<Record<string, string | boolean | string[] | undefined>>;
  readonly positionals: readonly string[];
  readonly verbose: boolean;
}

/** A string option's value, or undefined. */
export function stringOption(parsed: Parsed, name: string): string | undefined {
  const v = parsed.values[name];
  return typeof v === 'string' ? v : undefined;
}

/** Wrong use of the command line: exit code 2, with what to type instead. */
export class UsageError extends Error {
  readonly code = 'USAGE' as const;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A command failed in a way it already explained; main prints this message, exit code 1. */
export class CommandError extends Error {
  readonly code = 'COMMAND' as const;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CommandError';
  }
}

export const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  verbose: { type: 'boolean' },
} as const satisfies OptionSpec;

/** Parses a subcommand's arguments; unknown options are usage errors naming the option. */
export function parseCommandArgs(command: Command, args: readonly string[]): Parsed & { help: boolean } {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options: { ...command.options, ...COMMON_OPTIONS }, allowPositionals: true, strict: true });
  } catch (e) {
    // parseArgs says e.g. "Unknown option '--jsn'"; keep that, add where to look.
    throw new UsageError(`${e instanceof Error ? e.message.split(/\.( |$)/)[0] : String(e)}; see \`rdylib ${command.name} --help\``);
  }
  const values = parsed.values as Parsed['values'];
  return { values, positionals: parsed.positionals, verbose: values.verbose === true, help: values.help === true };
}

/** The positional arguments, checked against how many the command takes. */
export function positionals(command: Command, given: readonly string[], names: readonly string[], rest = false): string[] {
  if (given.length < names.length) {
    throw new UsageError(`missing ${names.slice(given.length).map((n) => `<${n}>`).join(' ')}: usage: ${command.usage.split('\n')[0]}`);
  }
  if (!rest && given.length > names.length) {
    throw new UsageError(`unexpected argument ${JSON.stringify(given[names.length])}: usage: ${command.usage.split('\n')[0]}`);
  }
  return [...given];
}

/** Generated text to the `-o` file (then its path is printed), or to standard output. */
export function writeOutput(io: Io, output: string | undefined, text: string): void {
  if (output === undefined) {
    io.out(text);
    return;
  }
  writeFileSync(output, text);
  io.out(`${output}\n`);
}
