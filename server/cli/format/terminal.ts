/**
 * What the text output may assume about where it goes: how wide the lines may be and whether
 * ANSI colour is welcome. Decided once per run from the output stream and the environment, and
 * passed to the formatters, which never look at `process` themselves (so tests can pin both).
 */

export interface Terminal {
  /** Columns the table may use. */
  width: number;
  /** Whether to emit ANSI colour escapes. */
  color: boolean;
}

/**
 * Width used when the output is not a terminal (a pipe, a file, CI logs) and COLUMNS does not
 * say: wide enough for the cost table's essential columns, narrow enough for a code review.
 */
export const PIPE_WIDTH = 100;
/** Below this the table drops columns rather than squeezing them to nothing. */
export const MIN_WIDTH = 40;

interface Stream {
  isTTY?: boolean;
  columns?: number;
}

/**
 * Colour only on a terminal and only when NO_COLOR (https://no-color.org) is unset or empty:
 * never in pipes, so that grep, editors' problem matchers and CI logs see plain text.
 */
export function detectTerminal(stream: Stream, env: NodeJS.ProcessEnv): Terminal {
  const tty = stream.isTTY === true;
  const fromEnv = Number(env.COLUMNS);
  const width = tty && stream.columns ? stream.columns : Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : PIPE_WIDTH;
  return { width: Math.max(MIN_WIDTH, width), color: tty && !env.NO_COLOR };
}

/** ANSI styles that collapse to the plain text when colour is off. */
export function styles(color: boolean) {
  const wrap = (open: number, close: number) => (s: string) => (color && s ? `\x1b[${open}m${s}\x1b[${close}m` : s);
  return {
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    yellow: wrap(33, 39),
    cyan: wrap(36, 39),
    green: wrap(32, 39),
  };
}

export type Styles = ReturnType<typeof styles>;
