/**
 * Fails the test file that calls it if any promise rejection went
 * unhandled while it ran: a refusal the host started but nobody awaited.
 * Rejections left by the last test settle within a few macrotasks, so the
 * check waits for those before it looks.
 */
import { afterAll, expect } from 'vitest';

export function failOnUnhandledRejections(): void {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  process.on('unhandledRejection', onUnhandled);
  afterAll(async () => {
    for (let i = 0; i < 20; i++) await new Promise((ok) => setTimeout(ok, 5));
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled).toEqual([]);
  });
}
