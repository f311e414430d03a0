// "Benchmark this matmul" as a user runs it in a real VS Code (code-server + Chromium): cursor on
// a GEMM, the command from the palette, progress while the kernel runs in the runner's child
// process on the local WebGPU adapter (lavapipe in CI), the result notification with the measured
// GFLOP/s, and the measured point in the hover afterwards.
import assert from 'node:assert/strict';
import { waitFor } from './codeServer';
import { editorSuite } from './suite';


const FILE = `import torch
from jaxtyping import Float
from torch import Tensor

# tensorcost: dims m=48 k=40 n=24


def small(a: Float[Tensor, "m k"], b: Float[Tensor, "k n"]):
    return a @ b
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
    assert.match(toast, /gemm f32: .* median, [\d.]+ GFLOP\/s, [\d.]+ GB\/s, verified/);
    const hover = await wb.hoverAt('a @ b', { offset: 2, until: (h) => /measured/.test(h) });
    await wb.screenshot('editor-benchmark-hover');
    assert.match(hover, /measured/);
    assert.match(hover, /verified against a CPU reference/);
  });
});
