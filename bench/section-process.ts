/**
 * Each section of a bench run measured in a Node process of its own.
 *
 * Why: a section run after others inherits their heap. jco's generated
 * modules are never collected, so by the last sections the heap held over
 * 200 MB, and every forced `gc()` before a timed op (timing.ts) had all of
 * it to walk and sweep. A process per section gives every section the
 * conditions of `--only` without changing how anything inside it is timed.
 * (It did not by itself steady the load section's raw cold column: the
 * sweeping each forced GC leaves behind did, `SETTLE_AFTER_GC_MS`.)
 *
 * The child is this bundle again (process.argv[1]) with the parent's Node
 * flags (`fork` passes process.execArgv, so --expose-gc, and --cpu-prof
 * when profiling, reach it); it prints its progress to the shared terminal
 * and sends its results back over the IPC channel as JSON (SectionResults
 * is plain data: numbers, strings, arrays), with its sink.
 */
import { fork } from 'node:child_process';
import type { RunContext, Section, SectionResults } from './suite.ts';
import { sinkValue } from './timing.ts';

/** What a section's process sends back: its results, and its sink (timing.ts), which the parent prints summed. */
export interface SectionRun {
  readonly results: SectionResults;
  readonly sink: number;
}

/** The compiled bench's flag (bench/run.ts) that runs one section and sends its results to the parent. */
export const SECTION_CHILD_FLAG = '--section-child';

/** Where a section's process runs: the bench's entry, and the Node and flags that run it. */
export interface SectionProcess {
  /** The bench entry (this one's by default; tests pass a script of their own). */
  readonly script: string;
  /** The Node flags (this process's by default). */
  readonly execArgv?: readonly string[];
  /** Another Node to run it on (the async section's pinned current Node); this one by default. */
  readonly execPath?: string;
  /** Kills the process after this long; none by default. */
  readonly timeoutMs?: number;
}

/** Runs `section` in a child process (`how`: this bench on this Node by default); rejects naming the section when the child fails. */
export function runInOwnProcess(section: Section, quick: boolean, how: SectionProcess = { script: process.argv[1]! }): Promise<SectionRun> {
  const args = [SECTION_CHILD_FLAG, section.id, ...(quick ? ['--quick'] : [])];
  const execArgv = how.execArgv === undefined ? process.execArgv : [...how.execArgv];
  const child = fork(how.script, args, { execArgv, execPath: how.execPath, timeout: how.timeoutMs, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    let sent: SectionRun | undefined;
    child.on('message', (m) => {
      sent = m as SectionRun;
    });
    child.on('error', (error) => reject(new Error(`bench section '${section.id}': could not start its process: ${error.message}`)));
    child.on('exit', (code, signal) => {
      if (sent !== undefined && code === 0) resolve(sent);
      else reject(new Error(`bench section '${section.id}': its process ${signal !== null ? `was killed by ${signal}` : `exited with code ${code}`}${sent === undefined ? ' before sending results' : ''}`));
    });
  });
}

/** In the child: runs the section named after SECTION_CHILD_FLAG and sends its results to the parent. */
export async function runAsChild(argv: readonly string[], sections: readonly Section[], ctx: RunContext): Promise<void> {
  const id = argv[argv.indexOf(SECTION_CHILD_FLAG) + 1];
  const section = sections.find((s) => s.id === id);
  if (section === undefined || process.send === undefined) throw new Error(`${SECTION_CHILD_FLAG} takes a section id and a parent bench process; got ${id ?? 'none'}`);
  const run: SectionRun = { results: await section.run(ctx), sink: sinkValue() };
  await new Promise<void>((resolve, reject) => process.send!(run, undefined, {}, (error) => (error === null ? resolve() : reject(error))));
  process.disconnect();
}
