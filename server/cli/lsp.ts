/** `tensorcost lsp --stdio`: the language server for any LSP client. */
export async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write('Usage: tensorcost lsp --stdio\n\nRuns the Tensor Cost language server over stdin/stdout.\n');
    return 0;
  }
  if (!argv.includes('--stdio') && !argv.some((a) => a.startsWith('--node-ipc') || a.startsWith('--socket') || a.startsWith('--pipe'))) {
    process.stderr.write('tensorcost lsp: pass --stdio (the only transport offered on the command line)\n');
    return 2;
  }
  const { startServer } = require('../lsp/server') as typeof import('../lsp/server');
  startServer();
  (require('../node/collectAfterRelease') as typeof import('../node/collectAfterRelease')).collectGarbageAfterParserRelease();
  (require('../node/collectWhenIdle') as typeof import('../node/collectWhenIdle')).collectWhenIdle();
  // The connection keeps the process alive; -1 tells main() not to set an exit code.
  return -1;
}
