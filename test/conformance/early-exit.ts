/**
 * Node ends a process whose event loop has run out of work even while a
 * Promise is still awaited, with exit code 0 and nothing printed. For a
 * conformance run that is a failure, never a result: the process says which
 * case was running and exits 1, so neither a caller reading `--json` nor a
 * reader of the summary takes a partial run for a complete one.
 */

export interface RunProgress {
  /** The case with this id starts (the last one named is reported if the run stops). */
  started(id: string): void;
  /** The run is complete: exiting from now on is normal. */
  finished(): void;
}

export function watchForEarlyExit(label: string): RunProgress {
  let last: string | undefined;
  let done = false;
  const onExit = (): void => {
    if (done) return;
    const where = last === undefined ? 'before its first case' : `while running ${last} (the last case that started)`;
    console.error(`${label}: the run stopped early ${where}: the event loop ran out of work while the runner waited; no result was written`);
    process.exitCode = 1;
  };
  process.on('exit', onExit);
  return {
    started(id) {
      last = id;
    },
    finished() {
      done = true;
      process.off('exit', onExit);
    },
  };
}
