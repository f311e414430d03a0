/**
 * A file the engine could not or would not analyse (too large, nested too deeply for a parser,
 * an internal error) still gets a result: no ops, and one finding at its top that says why, so
 * that the file costs only itself and its absence from the totals is never silent.
 */
import { FileIR, Finding } from './ir';

/** The code of findings about a whole file that could not be analysed (too large, or failed). */
export const FILE_NOT_ANALYSED = 'TC000';

/** An IR with no ops and one finding at the top of the file. */
export function notAnalysedIR(path: string, language: FileIR['language'], message: string, severity: Finding['severity']): FileIR {
  return {
    path,
    language,
    ops: [],
    functions: [],
    findings: [{ code: FILE_NOT_ANALYSED, severity, message, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } }],
    unmodelled: [],
    facts: { dims: new Map(), directiveDims: new Map(), noqa: new Map(), fileIgnores: new Set() },
    signals: {},
  };
}
