/**
 * Runs a command-line script's `main` and sets the exit code from what it
 * returns; an error it throws is printed and exits 2 (the scripts' "could
 * not run" code, as opposed to 1 for "ran and found problems").
 */
export function runMain(main: (argv: readonly string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      console.error(e);
      process.exitCode = 2;
    },
  );
}
