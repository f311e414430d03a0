// "Benchmark this matmul" as a user runs it in a real VS Code (code-server + Chromium): cursor on
// a GEMM, the command from the palette, progress while the kernel runs in the runner's child
// process on the local WebGPU adapter (lavapipe in CI), the result notification with the measured
// GFLOP/s, and the measured point in the hover afterwards; then a 137 GFLOP GEMM, which a software
// adapter runs as a copy scaled to about 1 GFLOP, saying so.
import assert from 'node:assert/strict';
import { waitFor } from './codeServer';
import { editorSuite } from './suite';


const FILE = `import torch
from jaxtyping import Float
from torch import Tensor

# tensorcost: dims m=48 k=40 n=24


def small(a: Float[Tensor, "m k"], b: Float[Tensor, "k n"]):
    return a @ b


def big(x: Float[Tensor, "4096 4096"], w: Float[Tensor, "4096 4096"]):
    return x @ w
`;

editorSuite('Benchmark this matmul in code-server', { copy: [], files: { 'bench.py': FILE }, open: 'bench.py' }, (session, test) => {
  test('runs the GEMM under the cursor and reports the measured point', { timeout: 240_000 }, async () => {
    const wb = session().workbench;
    // Wait for the server's figures first, so the command finds the op.
    await wb.hoverAt('a @ b', { offset: 2, until: (h) => /92,160/.test(h) });
    const { line, column } = wb.position('a @ b', 0, 2);
    await wb.goTo(line, column);
    await wb.runCommand('Tensor Cost: Benchmark This Matmul');
    const toast = await waitFor('benchmark result notification', 200_000, async () => {
      const texts = await wb.page.locator('.notifications-toasts .notification-toast').allInnerTexts();
      return texts.find((t) => /GFLOP\/s/.test(t) || /benchmark failed/i.test(t));
    });
    await wb.screenshot('editor-benchmark-result');
    assert.doesNotMatch(toast, /failed/i, toast);
    // Named by its source text; the 92 kFLOP op is small enough to run at full size anywhere.
    assert.match(toast, /a @ b on .*, ran m=48 k=40 n=24 \(92\.2 kFLOP, full size\)/);
    assert.match(toast, /gemm f32: .* median, [\d.]+ GFLOP\/s, [\d.]+ GB\/s; verified: all 1,152 output elements match the CPU reference/);
    const hover = await wb.hoverAt('a @ b', { offset: 2, until: (h) => /measured/.test(h) });
    await wb.screenshot('editor-benchmark-hover');
    assert.match(hover, /measured/);
    assert.match(hover, /verified against a CPU reference/);
  });

  test('runs a large GEMM at the size that fits the adapter and says what ran', { timeout: 240_000 }, async () => {
    const wb = session().workbench;
    await wb.page.keyboard.press('Escape');
    await wb.hoverAt('x @ w', { offset: 2, until: (h) => /137,438,953,472/.test(h) });
    const { line, column } = wb.position('x @ w', 0, 2);
    await wb.goTo(line, column);
    await wb.runCommand('Tensor Cost: Benchmark This Matmul');
    const toast = await waitFor('the large benchmark result', 200_000, async () => {
      const texts = await wb.page.locator('.notifications-toasts .notification-toast').allInnerTexts();
      return texts.find((t) => /x @ w on/.test(t) || /benchmark of x @ w failed/i.test(t));
    });
    await wb.screenshot('editor-benchmark-scaled');
    assert.doesNotMatch(toast, /failed/i, toast);
    if (/llvmpipe|lavapipe|swiftshader/i.test(toast)) {
      // cbrt(1e9 / 137.4e9) = 0.194 per side: 4096 → 792, 994 MFLOP.
      assert.match(toast, /ran m=792 k=792 n=792: scaled ×0\.194 per side from m=4096 k=4096 n=4096 \(994 MFLOP of the op's 137 GFLOP\) because .* is a software adapter/);
      assert.match(toast, /Run at Full Size/);
      const hover = await wb.hoverAt('x @ w', { offset: 2, until: (h) => /measured/.test(h) });
      assert.match(hover, /scaled down from m=4096 k=4096 n=4096/);
      // The card is taller than the space above the line: show its measured row as a user scrolls to it.
      await wb.page.locator('.monaco-hover:visible td', { hasText: /^\s*measured\s*$/ }).first().scrollIntoViewIfNeeded();
      await wb.screenshot('editor-benchmark-scaled-hover');
    } else assert.match(toast, /ran m=4096 k=4096 n=4096/);
  });
});
