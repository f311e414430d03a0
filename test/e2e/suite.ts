/**
 * One describe() per editor session, shared by the e2e test files: the skip-or-fail decision
 * (REQUIRE_VSCODE=1 turns a missing code-server or Chromium into a failure), a code-server session
 * started before the tests and stopped after them.
 */
import { after, before, describe, it } from 'node:test';
import { CodeServerSession, e2eSkipReason, StartOptions } from './codeServer';

export function editorSuite(name: string, start: StartOptions & { open?: string }, body: (session: () => CodeServerSession) => void): void {
  let skip: string | false = false;
  let setupError: Error | undefined;
  try {
    skip = e2eSkipReason();
  } catch (e) {
    setupError = e as Error;
  }
  describe(name, { skip }, () => {
    if (setupError) {
      it('has code-server and Chromium (REQUIRE_VSCODE=1)', () => {
        throw setupError;
      });
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
    body(() => session!);
  });
}
