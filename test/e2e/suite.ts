/**
 * One describe() per editor session, shared by the e2e test files: the skip-or-fail decision
 * (REQUIRE_VSCODE=1 turns a missing code-server or Chromium into a failure), a code-server session
 * started before the tests and stopped after them.
 *
 * Without the tools each test is still registered, marked skipped with the reason, so that the
 * runner's summary counts it under "skipped": a skipped describe() alone registers nothing and
 * the summary said "skipped 0" while nine editor tests had not run. The body therefore registers
 * its tests through the `test` it is given rather than node:test's `it`.
 */
import { after, before, describe, it, TestContext, TestOptions } from 'node:test';
import { CodeServerSession, e2eSkipReason, StartOptions } from './codeServer';

/** Registers one editor test: node:test's `it`, or the same test marked skipped with a reason. */
export type EditorTest = (name: string, options: TestOptions, fn: (t: TestContext) => Promise<void>) => void;

export function editorSuite(name: string, start: StartOptions & { open?: string }, body: (session: () => CodeServerSession, test: EditorTest) => void): void {
  let skip: string | false = false;
  let setupError: Error | undefined;
  try {
    skip = e2eSkipReason();
  } catch (e) {
    setupError = e as Error;
  }
  describe(name, () => {
    if (setupError) {
      it('has code-server and Chromium (REQUIRE_VSCODE=1)', () => {
        throw setupError;
      });
      return;
    }
    if (skip) {
      const reason = skip;
      body(
        () => {
          throw new Error(`no editor session: ${reason}`);
        },
        (testName, options, fn) => it(testName, { ...options, skip: reason }, fn),
      );
      return;
    }
    let session: CodeServerSession | undefined;
    before(
      async () => {
        session = await CodeServerSession.start(start);
        if (start.open) await session.workbench.openFile(start.open);
      },
      { timeout: 300_000 },
    );
    after(async () => {
      await session?.stop();
    });
    body(() => session!, (testName, options, fn) => it(testName, options, fn));
  });
}
