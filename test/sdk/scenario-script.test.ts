/**
 * The runner of scenario scripts fails a test that depends on a child
 * process with a message that says what went wrong, instead of hanging the
 * suite or failing with a bare "Command failed".
 */
import { describe, expect, it } from 'vitest';
import { runScenarioScript } from './scenario-script.ts';

describe('runScenarioScript', () => {
  it('kills a script still running after its timeout and names the script, the timeout and its stderr', async () => {
    const run = runScenarioScript(process.execPath, new URL('./fixtures/hangs.ts', import.meta.url), 2_000);
    await expect(run).rejects.toThrow(/^scenario script test\/sdk\/fixtures\/hangs\.ts on .+ did not finish within 2 s and was killed; its stderr:\nwaiting for ever\n/);
  });

  it('names the exit code, stderr and stdout of a script that fails', async () => {
    const run = runScenarioScript(process.execPath, new URL('./fixtures/fails.ts', import.meta.url));
    await expect(run).rejects.toThrow(/ exited with code 3; its stderr:\nthe plugin would not load\n\nits stdout:\n\{"partial":$/);
  });

  it('resolves with what a script printed', async () => {
    await expect(runScenarioScript(process.execPath, new URL('./fixtures/prints.ts', import.meta.url))).resolves.toBe('{"ok":true}');
  });
});
