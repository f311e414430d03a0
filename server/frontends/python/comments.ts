/**
 * Shapes written in comments (README.md, "What it reads"):
 *
 * - nanoGPT style trailing comments: `# (B, nh, T, hs)`, `# [B, T, C]`, `# shape (b, t, n_embd)`,
 *   `# token embeddings of shape (b, t, n_embd)`;
 * - the arrow form `# (B, nh, T, hs) x (B, nh, hs, T) -> (B, nh, T, T)`, whose right side is the
 *   result;
 * - the directive `# tensorcost: shape x=(B, T, C) y=(C, D) dtype=bf16`, which names what it
 *   annotates.
 *
 * A comment annotates the statement it trails, or, on a line of its own, the statement directly
 * below. Comments are prose as often as shapes, so a comment is only read as a shape when it
 * clearly is one; a clear attempt that does not parse (`# shape (B, T C)`) is a TC001 finding,
 * ordinary prose is silently ignored.
 */
import { DType, parseDType } from '../../core/dtypes';
import { Dim, Range } from '../../core/ir';
import { AnnotationError, parseDimExpr } from './annotations/jaxtyping';
import type { Node } from './parser';
import { shiftRanges } from '../../core/shift';
import { detach } from '../../core/intern';
import { DocumentPosition, byPosition } from './document';
import { textCache } from './textCaches';

export interface CommentInfo {
  range: Range;
  text: string;
  /** True when nothing but whitespace precedes the comment on its line. */
  ownLine: boolean;
}

/** What one comment says about shapes. */
export interface CommentAnnotation {
  /** Shapes by name (directive); applied to those names. */
  named?: Map<string, Dim[]>;
  /** One unnamed shape (trailing comment): applied to the statement's single target. */
  anonymous?: Dim[];
  dtype?: DType;
  /** Why a comment that is clearly meant as an annotation does not parse (TC001). */
  error?: string;
  range: Range;
}

/**
 * All comments of a module by start row (one comment per row at most in Python). Only the places
 * where a statement's text has a `#` are looked at, each asked of the tree (a `#` may sit in a
 * string): walking every node through web-tree-sitter to find the comments costs tens of
 * milliseconds on a large file. What a statement holds is remembered by its text and place, so
 * re-analysis after an edit asks the tree only about the statements that changed.
 */
export function collectComments(statements: readonly Node[], lines: readonly string[], texts?: readonly string[], reuse?: CommentReuse): Map<number, CommentInfo> {
  const out = new Map<number, CommentInfo>();
  if (STATEMENT_COMMENTS.size > 50_000) STATEMENT_COMMENTS.clear();
  // After an edit that moved no line and kept the number of statements, an untouched statement
  // has the comments it had: taken by position, without looking at its text.
  const last = reuse?.cache.last;
  const change = texts && last ? byPosition(reuse!.position, last.updates, last.texts.length, texts.length) : undefined;
  const end = change ? change.first + change.newCount : 0;
  const foundAt: (CommentInfo[] | undefined)[] = [];
  statements.forEach((stmt, k) => {
    const text = texts?.[k] ?? stmt.text;
    if (change && (k < change.first || k >= end) && text === last!.texts[k]) {
      const same = last!.found[k];
      foundAt[k] = same;
      if (same) for (const c of same) out.set(c.range.start.line, c);
      return;
    }
    if (!text.includes('#')) return;
    const row0 = stmt.startPosition.row;
    // A statement's comments depend on its text and column; its line only moves them.
    const key = String(stmt.startPosition.column);
    let byPlace = STATEMENT_COMMENTS.get(text);
    // Kept across analyses: what it holds is detached from the document (core/intern.ts).
    if (!byPlace) STATEMENT_COMMENTS.set(detach(text), (byPlace = new Map()));
    let cached = byPlace.get(key);
    if (cached && cached.row !== row0) {
      cached = { row: row0, found: shiftRanges(cached.found, row0 - cached.row) };
      byPlace.set(key, cached);
    }
    let found = cached?.found;
    if (!found) {
      found = [];
      for (let i = text.indexOf('#'); i !== -1; i = text.indexOf('#', i + 1)) {
        const c = stmt.type === 'comment' ? stmt : stmt.descendantForIndex(stmt.startIndex + i);
        if (c?.type !== 'comment' || c.startIndex !== stmt.startIndex + i) continue;
        const row = c.startPosition.row;
        const before = (lines[row] ?? '').slice(0, c.startPosition.column);
        found.push({ range: { start: { line: row, character: c.startPosition.column }, end: { line: c.endPosition.row, character: c.endPosition.column } }, text: detach(c.text), ownLine: before.trim() === '' });
        // The rest of the line is the comment's own text.
        i = c.endIndex - 1 - stmt.startIndex;
      }
      byPlace.set(key, { row: row0, found });
    }
    foundAt[k] = found;
    for (const c of found) out.set(c.range.start.line, c);
  });
  if (reuse && texts) reuse.cache.last = { updates: reuse.position.updates, texts, found: foundAt };
  return out;
}

/** A document's last comments by statement index, for `collectComments` after the next edit. */
export interface CommentCache {
  last?: { updates: number; texts: readonly string[]; found: (CommentInfo[] | undefined)[] };
}

/** The document's comment cache, and where the document stands (`PythonDocument.position`). */
export interface CommentReuse {
  cache: CommentCache;
  position: DocumentPosition;
}

/** Comments by statement text, then by place. */
const STATEMENT_COMMENTS = textCache<string, Map<string, { row: number; found: CommentInfo[] }>>();
const PARSED = new Map<string, { line: number; result: CommentAnnotation | null }>();

const DIRECTIVE_SHAPE = /^#\s*tensorcost:\s*shape\b(.*)$/;
/** Signals that a comment is meant as a shape: the word `shape` before a bracket, or an arrow. */
const SHAPE_WORD = /\bshape\s*[:=]?\s*(`?)([([])/i;
const ARROW = /->\s*`?([([])/;

/** Parses one comment; null when it says nothing about shapes. */
export function parseShapeComment(info: CommentInfo): CommentAnnotation | null {
  // The same comment object (a cached statement's) gives the same result: no key to build.
  const own = BY_INFO.get(info);
  if (own !== undefined) return own;
  const result = parseShapeCommentText(info);
  BY_INFO.set(info, result);
  return result;
}

const BY_INFO = new WeakMap<CommentInfo, CommentAnnotation | null>();

function parseShapeCommentText(info: CommentInfo): CommentAnnotation | null {
  // Results are shared between analyses (nothing changes them): parsing hundreds of comments
  // again on every keystroke would cost more than the rest of a re-analysis.
  // The line is not in the key: a comment moved by lines inserted above it parses the same.
  const line = info.range.start.line;
  const key = `${info.range.start.character}:${info.range.end.line - line}:${info.range.end.character}\0${info.text}`;
  const hit = PARSED.get(key);
  if (hit) return hit.line === line ? hit.result : shiftRanges(hit.result, line - hit.line);
  if (PARSED.size > 50_000) PARSED.clear();
  const result = parseComment(info.text, info.range);
  PARSED.set(key, { line, result });
  return result;
}

function parseComment(text: string, range: Range): CommentAnnotation | null {
  const d = DIRECTIVE_SHAPE.exec(text);
  if (d) return parseDirective(d[1], range);
  if (/^#\s*(tensorcost:|noqa|type:|pragma|pylint|ruff|fmt:)/.test(text)) return null;
  const body = text.replace(/^#+\s*/, '');
  // Arrow form: the result is on the right of the last arrow.
  const arrowAt = body.lastIndexOf('->');
  if (arrowAt >= 0) {
    const m = ARROW.exec(body.slice(arrowAt));
    if (!m) return null;
    const start = arrowAt + m.index + m[0].length - 1;
    return shapeAt(body, start, true, range);
  }
  // The same in words or other arrows, between two shapes (LLMs-from-scratch's
  // `# (batch, n_token, vocab_size) becomes (batch, vocab_size)` above `logits = logits[:, -1, :]`):
  // the statement's result is the shape after it, not the first one.
  const becomes = lastBecomes(body);
  if (becomes !== undefined) return shapeAt(body, becomes, false, range);
  const w = shapeWord(body);
  if (w !== undefined) return shapeAt(body, w, true, range);
  if (body.startsWith('(') || body.startsWith('[')) return shapeAt(body, 0, false, range);
  return null;
}

/** `→`, `=>`, `becomes`, `turns into` between a bracketed shape and another: where the last one opens. */
const BECOMES = /[)\]]\s*(?:→|=>|\bbecomes\b|\bturns into\b|\bis reshaped to\b)\s*`?([([])/g;
function lastBecomes(body: string): number | undefined {
  let at: number | undefined;
  for (let m = BECOMES.exec(body); m; m = BECOMES.exec(body)) at = m.index + m[0].length - 1;
  BECOMES.lastIndex = 0;
  return at;
}

/**
 * Where the bracket after the word `shape` opens, when the comment means a shape. `x.shape[-1]`
 * (indexing a tensor's shape, as in whisper's `# x.shape[-1] == filter_width`) is code in prose,
 * not an annotation: `.shape` directly followed by `[` is skipped.
 */
function shapeWord(body: string): number | undefined {
  const re = new RegExp(SHAPE_WORD.source, 'gi');
  for (let m = re.exec(body); m; m = re.exec(body)) {
    const indexing = body[m.index - 1] === '.' && /^shape\[/i.test(m[0]);
    if (!indexing) return m.index + m[0].length - 1;
  }
  return undefined;
}

/**
 * The bracketed dims list starting at `start`. `strong` says the comment is certainly meant as a
 * shape (a parse failure is then TC001); weak candidates (a comment that merely starts with a
 * bracket) must look like a shape of two or more dims, or one dim with a trailing comma.
 */
function shapeAt(body: string, start: number, strong: boolean, range: Range): CommentAnnotation | null {
  const open = body[start];
  const close = open === '(' ? ')' : ']';
  const end = matchingBracket(body, start, open, close);
  if (end < 0) return strong ? { error: `unclosed '${open}' in shape comment "${body}"`, range } : null;
  // `#  [1, 1, 0, 2, 2]]` or `# [0, 1, 2],`: a row of a value printed over several comment lines
  // (gemma3's worked example of a mask above `q_block_indices = ...`), not a shape.
  if (!strong && /^\s*([\])}]|,\s*$)/.test(body.slice(end + 1))) return null;
  const inner = body.slice(start + 1, end);
  const parts = inner.split(',').map((p) => p.trim());
  const trailingComma = parts.length > 1 && parts[parts.length - 1] === '';
  if (trailingComma) parts.pop();
  if (!strong && parts.length < 2 && !trailingComma) return null;
  if (inner.trim() === '') return { anonymous: [], range };
  // `[*, width, grid ** 2]` (CLIP), `(..., C)`, `(*batch, C)`: some leading dims, not a rank. Such
  // a comment documents the trailing dims only; the shape the code gives stands.
  if (parts.some((p) => p === '...' || /^\*\s*[A-Za-z_]?\w*$/.test(p))) return null;
  // `[0, 1] -> [-1, 1]` (denoising-diffusion-pytorch's normalisation) is a range of values: no
  // size is negative.
  if (parts.some((p) => /^-\s*\d+$/.test(p))) return null;
  const dims: Dim[] = [];
  for (const p of parts) {
    // Two words side by side (`T C`, `batch size`) are a missing comma or prose, never a dim.
    if (/\w\s+\w/.test(p)) return strong ? { error: `invalid shape comment: '${p}' in "${inner}" is not one dim (a comma missing?)`, range } : null;
    try {
      dims.push(parseDimExpr(p.replace(/\s+/g, ''), p, inner));
    } catch (e) {
      if (!(e instanceof AnnotationError)) throw e;
      // Weak candidates that are prose (`(see the paper)`) are not annotations at all.
      return strong ? { error: `invalid shape comment: ${e.message}`, range } : null;
    }
  }
  return { anonymous: dims, range };
}

function matchingBracket(s: string, start: number, open: string, close: string): number {
  let depth = 0;
  for (let i = start; i < s.length; i++) {
    if (s[i] === open) depth++;
    else if (s[i] === close && --depth === 0) return i;
  }
  return -1;
}

/** `shape x=(B, T, C) y=[C, D] dtype=bf16`. */
function parseDirective(rest: string, range: Range): CommentAnnotation {
  const named = new Map<string, Dim[]>();
  let dtype: DType | undefined;
  let i = 0;
  const s = rest;
  const fail = (why: string): CommentAnnotation => ({ error: `invalid tensorcost shape directive: ${why}`, range });
  while (i < s.length) {
    while (i < s.length && /\s/.test(s[i])) i++;
    if (i >= s.length) break;
    const m = /^([A-Za-z_][\w.]*)\s*=\s*/.exec(s.slice(i));
    if (!m) return fail(`expected NAME=(dims) at '${s.slice(i).trim()}'`);
    const name = m[1];
    i += m[0].length;
    if (name === 'dtype') {
      const v = /^[\w.]+/.exec(s.slice(i));
      const parsed = v ? parseDType(v[0]) : undefined;
      if (!v || !parsed) return fail(`unknown dtype '${v?.[0] ?? s.slice(i).trim()}'`);
      dtype = parsed;
      i += v[0].length;
      continue;
    }
    const open = s[i];
    if (open !== '(' && open !== '[') return fail(`expected '(' after '${name}='`);
    const end = matchingBracket(s, i, open, open === '(' ? ')' : ']');
    if (end < 0) return fail(`unclosed '${open}' after '${name}='`);
    const parts = s.slice(i + 1, end).split(',').map((p) => p.trim());
    if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
    const dims: Dim[] = [];
    for (const p of parts) {
      if (p === '' && parts.length === 1) break;
      try {
        dims.push(parseDimExpr(p.replace(/\s+/g, ''), p, s.slice(i, end + 1)));
      } catch (e) {
        if (!(e instanceof AnnotationError)) throw e;
        return fail(e.message);
      }
    }
    named.set(name, dims);
    i = end + 1;
  }
  if (named.size === 0 && !dtype) return fail('nothing to annotate; write `# tensorcost: shape x=(B, T, C)`');
  return { named, dtype, range };
}

/**
 * Shapes of parameters from a docstring, in the styles model code writes them:
 * - Hugging Face: `input_ids (`torch.LongTensor` of shape `(batch_size, sequence_length)`):`;
 * - Google: `x: shape (b, l, d)`, `x (Tensor): input of shape [B, C, H, W]`, `q, k, v: of shape (B, T, H, D)`;
 * - NumPy: `x : ndarray of shape (n_samples, n_features)`, `x : Tensor, shape (N, C)`.
 * The first line that documents a name wins, so a `Returns:` line that reuses a parameter's name
 * does not replace what `Args:` says of it.
 */
export function docstringShapes(doc: string): Map<string, Dim[]> {
  const out = new Map<string, Dim[]>();
  const found: { index: number; name: string; dims: string }[] = [];
  for (const m of doc.matchAll(HF_DOC)) found.push({ index: m.index ?? 0, name: m[1], dims: m[2] });
  for (const m of doc.matchAll(PARAM_DOC)) {
    const d = SHAPE_IN_DOC.exec(m[2]);
    if (d) for (const name of m[1].split(',')) found.push({ index: m.index ?? 0, name: name.trim(), dims: d[1] });
  }
  found.sort((a, b) => a.index - b.index);
  for (const { name, dims } of found) {
    if (out.has(name)) continue;
    const parts = dims.split(',').map((p) => p.trim()).filter((p) => p !== '');
    if (parts.length === 0) continue;
    try {
      out.set(name, parts.map((p) => parseDimExpr(p.replace(/\s+/g, ''))));
    } catch (e) {
      if (!(e instanceof AnnotationError)) throw e;
      // A docstring is documentation first: an unparsable shape there is simply not used.
    }
  }
  return out;
}

const HF_DOC = /^\s*([A-Za-z_]\w*)\s*\((?:[^\n]*?)\bof shape\s*`?\(([^)\n]*)\)/gm;
/**
 * A parameter's line: its name (or names: `q, k, v: Tensors of shape (B, T, H, D)`), an optional
 * `(type)`, a colon, the description (group 2). A description that is only a tuple
 * (`window_size: (left, right) sliding window`) names no shape: it may document a tuple of ints.
 */
const PARAM_DOC = /^[ \t]*([A-Za-z_]\w*(?:[ \t]*,[ \t]*[A-Za-z_]\w*)*)[ \t]*(?:\([^()\n]*\))?[ \t]*:[ \t]*([^\n]*)$/gm;
/** `shape (b, l, d)`, `shape: [B, C]`, `of shape (N, C)` in a description. */
const SHAPE_IN_DOC = /\bshape\s*[:=]?\s*`?[([]([^()[\]\n]*)[)\]]/;
