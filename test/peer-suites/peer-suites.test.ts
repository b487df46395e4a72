/** wasm-tools' component-model validation scripts that use the current index syntax. */
import { definePeerSuiteTests } from './define-tests.ts';
import { runPeerSuite } from './suite.ts';

definePeerSuiteTests('strict', () => runPeerSuite({ indices: 'strict' }));
