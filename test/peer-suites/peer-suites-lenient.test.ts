/**
 * The scripts written in the older index syntax (their RUN line sets
 * WAST_STRICT_COMPONENT_INDICES=0). The text parser reads that variable once
 * per process, so it is set here before the parser is first imported; vitest
 * runs each test file in a process of its own.
 */
import { definePeerSuiteTests } from './define-tests.ts';

process.env.WAST_STRICT_COMPONENT_INDICES = '0';
const { runPeerSuite } = await import('./suite.ts');

definePeerSuiteTests('lenient', () => runPeerSuite({ indices: 'lenient' }));
