import { Rule } from './types';

/**
 * Not a check of the code but of the analysis: the finding a file gets when it was not analysed
 * (over `maxFileSizeKB`, unreadable, nested deeper than a parser goes, an internal error), so
 * that its missing ops are never silent. The engine and the CLI emit it; this entry documents it
 * and lets it be configured like any rule.
 */
export const rule: Rule = {
  code: 'TC000',
  name: 'file-not-analysed',
  defaultSeverity: 'error',
  summary: 'A file, or code nested too deeply in it, could not be analysed; its ops are not counted.',
  docs: {
    what: 'Reports that Tensor Cost did not analyse a file, or a part of one, and why: at the top of a file that is larger than `tensorcost.maxFileSizeKB` (`--max-file-size-kb`, default 2048 KB; a warning), cannot be read, or whose analysis failed; at the statement where code nested more deeply than the parser or the interpreter follows was skipped (a warning; the rest of the file is analysed, and the figures that miss it say so).',
    why: 'A file that is skipped silently makes every total that should include it too small, and a clean report misleading. The finding says which file is missing from the figures and what to change.',
    example: '# a 40 MB generated weights table, or a file nested 1,000 levels deep\nWEIGHTS = [[0.1, 0.2, ...], ...]',
    useInstead: '# raise the limit for a large file that matters: "tensorcost.maxFileSizeKB": 65536\n# or exclude generated files in .gitignore, or split the file',
  },
};
