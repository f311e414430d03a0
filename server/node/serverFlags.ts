/**
 * The Node flags the language server runs under, passed by whatever starts it: the VS Code client
 * (`execArgv`), the protocol tests and the bench (the same spawn), and documented for other LSP
 * clients (docs/cli.md). Flags are read when V8 sets up its heap, before any of our code runs, so
 * the server cannot give them to itself.
 *
 * `--max-semi-space-size=32` doubles V8's young generation (16 MB per semi-space by default on
 * 64-bit). A keystroke's re-analysis of the bench's GPT-style file allocates about 5 MB, most of it
 * garbage by the next keystroke; with the default size a scavenge, 3–5 ms of copying the
 * analysis still in progress, fell on every third keystroke, and with twice the room on every sixth.
 * Measured on this project's 2-core machine (server started five times each way, interleaved): the
 * median LSP keystroke in the GPT-style file went from 15.0 to 12.2 ms and its first analysis from
 * 798 to 713 ms, for 30 MB more resident memory with 1,000 small files open (130 → 160 MB; the
 * budget is 200). A 64 MB semi-space gained no more and cost 82 MB.
 */
export const SERVER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=32'];
