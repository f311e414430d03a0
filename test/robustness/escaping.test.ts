/**
 * User-derived text (op source text, einsum equations, dim and device names) reaches terminals
 * and Markdown renderers only escaped: no raw control characters in the text output, and no
 * live links or remote images in hovers, inlay tooltips or the status bar tooltip.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { escapeControl, mdCode, mdText } from '../../server/core/escape';
import { functionHover, opHover } from '../../server/lsp/features/hoverMarkdown';
import { inlayHints } from '../../server/lsp/features/inlayHints';
import { analyse, ready$ } from '../engine/helpers';
import { CLI } from '../helpers/lspClient';

// The Markdown parser VS Code renders hovers with (a dependency of @vscode/vsce here).
const MarkdownIt = require('markdown-it') as new (o: object) => { render(s: string): string };
const md = new MarkdownIt({ html: false, linkify: true });

const EVIL = 'x` ![i](http://evil.example/i.png) [l](http://evil.example) <b>|';

/** Links and images the rendered Markdown would load or open, other than the roofline's own data: image. */
function live(markdown: string): string[] {
  const html = md.render(markdown);
  return [...html.matchAll(/<(a|img)\b[^>]*>/g)].map((m) => m[0]).filter((tag) => !/src="data:image\/svg\+xml;base64,/.test(tag));
}

describe('escaping', () => {
  before(ready$);

  it('mdCode keeps any text inside one code span, and mdText keeps text literal', () => {
    for (const t of [EVIL, '``a``', '`', 'a`b``c', 'line\nbreak', '\u001b[2J']) {
      const html = md.render(`x ${mdCode(t)} y`);
      assert.equal((html.match(/<code>/g) ?? []).length, 1, `${t}: ${html}`);
      assert.deepEqual(live(`x ${mdText(t)} y`), [], t);
    }
    const cell = md.render(`| a | b |\n|---|---|\n| ${mdCode('x | y', true)} | ${mdText('p | q')} |`);
    assert.match(cell, /<td><code>x \| y<\/code><\/td>\s*<td>p \| q<\/td>/);
    assert.equal(escapeControl('a\u001b[2Jb\u202ec'), 'a\\x1b[2Jb\\u202ec');
  });

  it('an op hover and a function hover carry no live link or image from user text', () => {
    const a = analyse('from jaxtyping import Float\nfrom torch import Tensor\ndef f(a: Float[Tensor, "m k"], b: Float[Tensor, "k n"]):\n    return a @ b\n');
    const i = a.ir.ops.findIndex((o) => o.name === '@');
    // Names as hostile as any source text could make them; the figures' unbound dims too.
    a.ir.ops[i] = { ...a.ir.ops[i], name: EVIL, function: EVIL };
    a.figures[i] = { ...a.figures[i], unbound: [EVIL] };
    a.device = { ...a.device, name: EVIL, id: EVIL };
    const hover = opHover(a, i);
    assert.deepEqual(live(hover), [], hover);
    const fn = a.functions[0];
    const fnHover = functionHover(a, { ...fn, summary: { ...fn.summary, name: EVIL } }, EVIL);
    assert.deepEqual(live(fnHover), [], fnHover);
  });

  it('an inlay hint tooltip carries no live link or image', () => {
    const text = 'import torch\nx = torch.randn(8, 4)\ny = x @ x.T\n';
    const a = analyse(text);
    const i = a.ir.ops.findIndex((o) => o.name === '@');
    a.ir.ops[i] = { ...a.ir.ops[i], name: EVIL };
    const hints = inlayHints(a, TextDocument.create('file:///x.py', 'python', 1, text), { start: { line: 0, character: 0 }, end: { line: 9, character: 0 } });
    assert.ok(hints.length > 0);
    for (const h of hints) assert.deepEqual(live((h.tooltip as { value: string }).value), []);
  });

  it('the text output shows control characters from the code as escapes', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-esc-'));
    try {
      const file = path.join(dir, 'inj.py');
      fs.writeFileSync(file, 'import torch\nfrom jaxtyping import Float\nfrom torch import Tensor\n\ndef f(a: Float[Tensor, "m k"], b: Float[Tensor, "k n"]):\n    return torch.einsum("mk,kn->mn \u001b[2J\u001b[32mall clear\u009b", a, b)\n');
      const r = spawnSync(process.execPath, [CLI, 'check', file], { encoding: 'utf8', timeout: 60_000 });
      assert.match(r.stdout, /einsum equation 'mk,kn->mn \\x1b\[2J\\x1b\[32mall clear\\x9b'/);
      assert.doesNotMatch(r.stdout, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/, 'no raw control character');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
