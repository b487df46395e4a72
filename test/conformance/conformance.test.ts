/**
 * The Component Model reference tests against the host, on the Node running
 * vitest. The suite runs once while tests are collected (scripts carry state
 * from command to command, so cases cannot run on their own); each test then
 * states that case's outcome (define-tests.ts). pinned-node.test.ts runs the
 * same suite on the pinned current Node.
 */

import { defineConformanceTests } from './define-tests.ts';
import { runSuite } from './suite.ts';

defineConformanceTests(await runSuite());
