/**
 * Seeded mutations of real-style model files for the fuzz test: the same seed gives the same
 * inputs on every machine, so a failure names a seed and an index that reproduce it.
 */

/** A small deterministic generator (LCG): reproducible, and independent of Math.random. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * What a hostile or unlucky edit inserts: brackets and indentation that break the syntax,
 * loops with huge or unknown trip counts, recursion, absurd and invalid dims, text that
 * escapes into terminals and Markdown, odd line endings and unicode.
 */
export const PIECES = [
  '(', ')', '[', ']', ':', ',', '@', '#', '"', "'", '\\', '`', '\n', '\n    ', '\n        ', '\t', '\r', '\r\n',
  'for _ in range(10**18):\n    ', 'while True:\n    ', 'for i in range(2**10):\n        ',
  'x = x @ x\n', 'y = torch.matmul(x, x.T)\n', 'torch.randn(-8, 4)', 'torch.zeros(0, 3)', '.view(-1, 0)', '.reshape(1e30)',
  'torch.einsum("ij,jk->ik", a, b)', 'torch.einsum("\u001b[2J`![i](http://e/i.png)", a, b)', 'F.scaled_dot_product_attention(q, k, v, is_causal=True)',
  '# tensorcost: dims B=-7 T=1e400 C=4096.5 D=2_048\n', '# tensorcost: dims B=8 T=1024 C=768\n', '# tensorcost: shape x=(B, T`, C)\n',
  '# noqa: TC101\n', '1e308', '2**64', '9007199254740993', '-1', '0', 'lambda q: q @ q', 'def g(x):\n    return g(x) @ x\n',
  'class C(nn.Module):\n    def forward(self, x):\n        return self(x)\n', '(((((((((((((((((((((', ')))))))))))', 'nn.Linear(1e30, 3)',
  '\u00e9', '\ud83d\ude00', '\u202e', '\u0000', 'self.', 'nn.Sequential(', 'if x:', 'else:\n', '...', '*', '**',
];

/** One edit at a random place: a deletion, an insertion of a piece, or a copy of another span. */
export function edit(text: string, r: () => number): string {
  const at = Math.floor(r() * (text.length + 1));
  const op = r();
  if (op < 0.35) return text.slice(0, at) + text.slice(at + 1 + Math.floor(r() * 8));
  if (op < 0.8) return text.slice(0, at) + PIECES[Math.floor(r() * PIECES.length)] + text.slice(at);
  const from = Math.floor(r() * text.length);
  return text.slice(0, at) + text.slice(from, from + Math.floor(r() * 200)) + text.slice(at);
}

/** `edits` edits in a row. */
export function mutate(text: string, r: () => number, edits: number): string {
  let t = text;
  for (let i = 0; i < edits; i++) t = edit(t, r);
  return t;
}
