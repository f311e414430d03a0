/**
 * A loop whose body changes the shape of a tensor it reads: `for _ in range(max_new_tokens):`
 * around `logits = self(idx)` and `idx = torch.cat((idx, idx_next), dim=1)` (every `generate` of
 * nanoGPT, minGPT, ng-video-lecture). The interpreter runs a loop's body once and multiplies its
 * cost by the trip count; here the first trip's cost is not every trip's (the sequence is one
 * token longer each time), so the figures say so instead of being a silent undercount
 * (SPEC §2b). The check is by name: a tensor bound before the body (not by the loop's targets),
 * one dim of which the body lengthens or shortens by a constant, and that the body mentions more
 * than once (read, not only overwritten); where its shape is not known, a body that assigns it
 * `torch.cat((name, ...))` of itself.
 */
import type { Node } from './parser';
import type { Dim } from '../../core/ir';
import { shapeText } from '../../core/ops/types';
import { userFacing } from '../../core/symbolic';
import type { Value } from './values';

/**
 * The shapes of the tensors bound in `env`, by name (null: a tensor of unknown shape, or a value
 * not known at all: the prompt a tokenizer made, `tokenizer(prompt).input_ids`).
 */
export function tensorShapes(env: ReadonlyMap<string, Value>): Map<string, readonly Dim[] | null> {
  const out = new Map<string, readonly Dim[] | null>();
  for (const [k, v] of env) if (v.kind === 'tensor' || v.kind === 'unknown') out.set(k, v.kind === 'tensor' ? v.type.shape : null);
  return out;
}

/**
 * `idx = torch.cat((idx, idx_next), dim=1)`: the body appends to the tensor it reads. Told from
 * the text where the shapes do not tell (a `generate` analysed on its own, `idx` of unknown shape).
 */
function appendsTo(name: string, text: string): boolean {
  return new RegExp(`(?<![\\w.])${name}\\s*=\\s*(?:torch|th|np|jnp|numpy)\\.(?:cat|concat|concatenate|hstack)\\(\\s*[([]\\s*${name}(?!\\w)`).test(text);
}

/**
 * Whether a body could append to a tensor as `appendsTo` reads it: loops run trip by trip are
 * checked only for that (their counted shapes grow as they grow), so most skip the check.
 */
export function mayAppend(text: string): boolean {
  return /(?:torch|th|np|jnp|numpy)\.(?:cat|concat|concatenate|hstack)\(/.test(text);
}

/**
 * Whether one dim of `now` is that of `was` plus or minus a constant, the others the same: what
 * a trip that appends to a sequence (`torch.cat((idx, idx_next), dim=1)`) or trims it does to it.
 * A shape a first trip settles (`(b, n, ?)` to `(b, 8, dim)` after a patch merger) is not a
 * change every trip.
 */
function stepped(was: readonly Dim[], now: readonly Dim[]): boolean {
  if (was.length !== now.length) return false;
  let steps = 0;
  for (let i = 0; i < was.length; i++) {
    if (was[i].equals(now[i])) continue;
    const c = now[i].sub(was[i]).constValue();
    if (c === undefined || c === 0) return false;
    steps++;
  }
  return steps === 1;
}
const shown = (s: readonly Dim[]) => userFacing(shapeText(s));

/**
 * Whether the body's first mention of `name` assigns it (`logits = h @ W2 + b2` in makemore's
 * sampling loop): each trip then computes it afresh from other values, and the shape it had
 * before the loop (the training batch's) is not carried from trip to trip.
 */
function assignedFirst(name: string, text: string): boolean {
  const m = new RegExp(`(?<![\\w.])${name}(?!\\w)`).exec(text);
  return !!m && /^\s*(:[^=\n]*)?=(?!=)/.test(text.slice(m.index + name.length));
}

/**
 * Why one trip of the loop does not stand for the others, or undefined when it may. `unrolled`:
 * the trips ran one by one, so only a tensor whose shape was lost grew unseen.
 */
export function growthReason(before: ReadonlyMap<string, readonly Dim[] | null>, env: ReadonlyMap<string, Value>, body: Node, line: number, unrolled = false): string | undefined {
  let text: string | undefined;
  for (const [name, was] of before) {
    const now = env.get(name);
    if (now?.kind !== 'tensor' && now?.kind !== 'unknown') continue;
    if (!was || now.kind === 'unknown' || !now.type.shape) {
      text ??= body.text;
      if (appendsTo(name, text)) return `loop at line ${line}: \`${name}\` is appended to every trip; each trip counted as the first`;
      continue;
    }
    if (unrolled || !stepped(was, now.type.shape)) continue;
    text ??= body.text;
    const uses = text.match(new RegExp(`(?<![\\w.])${name}(?!\\w)`, 'g'))?.length ?? 0;
    if (uses < 2 || assignedFirst(name, text)) continue;
    return `loop at line ${line}: \`${name}\` changes shape every trip (${shown(was)} to ${shown(now.type.shape)}); each trip counted as the first`;
  }
  return undefined;
}
