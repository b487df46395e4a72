/**
 * jco's tooling for scripts, tests and the bench: the package's one jco
 * module (host/cli/plugin-build/jco.ts, which the `rdylib build` command
 * uses at run time), re-exported under the path they import it from.
 */
export * from '../../host/cli/plugin-build/jco.ts';
