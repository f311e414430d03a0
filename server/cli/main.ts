#!/usr/bin/env node
/**
 * `tensorcost` — the command-line entry point (docs/cli.md). Each subcommand lives in its own module
 * exporting `main(argv): Promise<number>` (the exit code), loaded lazily so that `tensorcost check`
 * never pays for WebGPU and `tensorcost lsp` never pays for the kernels.
 */

const USAGE = `Usage: tensorcost <command> [options]

Commands:
  check [PATH...]        Analyse files or folders and print findings and totals
  lsp --stdio            Run the language server over stdio
  explain CODE           Print a rule's documentation
  devices                List the device catalogue with ridge points
  bench KERNEL           Run a WGSL kernel on the local WebGPU adapter
  calibrate              Measure the local adapter and store it as the "local" device

Run 'tensorcost <command> --help' for a command's options.`;

type Command = { main(argv: string[]): Promise<number> };

const COMMANDS: Record<string, () => Command> = {
  check: () => require('./check') as Command,
  lsp: () => require('./lsp') as Command,
  explain: () => require('./explain') as Command,
  devices: () => require('./devices') as Command,
  bench: () => require('./bench') as Command,
  calibrate: () => require('./calibrate') as Command,
};

async function run(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(USAGE + '\n');
    return cmd ? 0 : 2;
  }
  if (cmd === '--version') {
    process.stdout.write(require('../../../package.json').version + '\n');
    return 0;
  }
  const load = COMMANDS[cmd];
  if (!load) {
    process.stderr.write(`tensorcost: unknown command '${cmd}'\n\n${USAGE}\n`);
    return 2;
  }
  return load().main(rest);
}

/**
 * Output that cannot be written ends quietly, never with a stack trace. A closed pipe
 * (`tensorcost check | head`) is the reader saying it has seen enough: the rest is dropped and
 * the exit code stays the command's. Any other failure (a full disk, `> /dev/full`) loses
 * the report, so it is said on stderr and the exit code is 2.
 */
function guardOutput(): void {
  let reported = false;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED') return;
    process.exitCode = 2;
    if (reported) return;
    reported = true;
    try {
      process.stderr.write(`tensorcost: cannot write the output: ${e.code ?? e.message}\n`);
    } catch {
      // stderr is gone too: the exit code is all that is left to say it.
    }
  });
  // A failing stderr has nowhere to report to; the exit code says what happened.
  process.stderr.on('error', () => undefined);
}

if (require.main === module) {
  guardOutput();
  run(process.argv.slice(2)).then(
    (code) => {
      // `lsp` keeps the process alive itself; every other command ends here. An output error
      // (guardOutput) already set 2, which stands.
      if (code >= 0 && process.exitCode !== 2) process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`tensorcost: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
      process.exitCode = 2;
    },
  );
}

export { run };
