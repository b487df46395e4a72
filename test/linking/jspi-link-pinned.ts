/** runJspiLink on the pinned Node (JSPI); prints its report as JSON. */
import { runJspiLink } from './jspi-link-scenario.ts';

process.stdout.write(JSON.stringify(await runJspiLink()) + '\n');
