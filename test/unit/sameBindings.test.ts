/**
 * sequences.ts: `sameBindings` over two `snapshotBindings` answers as the flat map of every
 * binding, field (`k.f`) and dict entry (`k[f]`) it stands for would (the loop over a model's
 * blocks asks it before and after each trip): compared here with that map on random frames,
 * including names that spell another's flat key, reordered bindings and changed values.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Poly } from '../../server/core/symbolic';
import { sameBindings, sameItem, snapshotBindings } from '../../server/frontends/python/sequences';
import type { Value } from '../../server/frontends/python/values';

/** A frame as the one flat map the comparison was first written with. */
function flat(env: Map<string, Value>): Map<string, Value> {
  const out = new Map<string, Value>();
  for (const [k, v] of env) {
    out.set(k, v);
    if (v.kind === 'instance') for (const [f, x] of v.fields) out.set(`${k}.${f}`, x);
    else if (v.kind === 'dict') for (const [f, x] of v.entries) out.set(`${k}[${f}]`, x);
  }
  return out;
}

/** The comparison of two flat maps as it was written. */
function reference(x: Map<string, Value>, y: Map<string, Value>): boolean {
  if (x.size !== y.size) return false;
  const constant = (p: Value, q: Value) => (p.kind === 'bool' && q.kind === 'bool' ? p.value === q.value : p.kind === 'float' && q.kind === 'float' ? p.value === q.value : p.kind === 'none' && q.kind === 'none');
  for (const [k, v] of x) {
    const w = y.get(k);
    if (!w || !(sameItem(v, w) || constant(v, w))) return false;
  }
  return true;
}

/** A small deterministic generator (mulberry32). */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('sameBindings', () => {
  it('agrees with the flat map on random frames and trips', () => {
    const r = rng(17);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
    // `a.b` and `a[b]` spell the flat keys of field b and entry b of a.
    const names = ['x', 'a', 'b', 'self', 'a.b', 'a[b]', 'b]', 'h'];
    const shared: Value[] = [{ kind: 'tensor', type: { shape: [Poly.const(8)], dtype: 'fp32' } }, { kind: 'unknown' }];
    const leaf = (): Value => pick<() => Value>([() => ({ kind: 'int', value: Poly.const(Math.floor(r() * 3)) }), () => ({ kind: 'bool', value: r() < 0.5 }), () => ({ kind: 'none' }), () => pick(shared), () => ({ kind: 'str', value: pick(['p', 'q']) })])();
    const object = (): Value => {
      const m = new Map<string, Value>();
      for (let i = Math.floor(r() * 3); i > 0; i--) m.set(pick(names), leaf());
      return r() < 0.5 ? { kind: 'instance', cls: { name: 'C', node: null as never, bases: [], methods: new Map(), defaults: new Map() }, fields: m } : { kind: 'dict', entries: m };
    };
    const frame = (): Map<string, Value> => {
      const env = new Map<string, Value>();
      for (let i = 1 + Math.floor(r() * 4); i > 0; i--) env.set(pick(names), r() < 0.4 ? object() : leaf());
      return env;
    };
    /** A trip: nothing, a value rebound, a field set, a binding added, or the order changed. */
    const trip = (env: Map<string, Value>): Map<string, Value> => {
      const out = new Map(env);
      const keys = [...out.keys()];
      const k = pick(keys);
      switch (Math.floor(r() * 6)) {
        case 0:
          return out;
        case 1:
          out.set(k, leaf());
          return out;
        case 2: {
          const v = out.get(k)!;
          if (v.kind === 'instance') v.fields.set(pick(names), leaf());
          else if (v.kind === 'dict') v.entries.set(pick(names), leaf());
          return out;
        }
        case 3:
          out.set(pick(names), leaf());
          return out;
        case 4:
          return new Map([...out].reverse());
        default:
          out.delete(k);
          out.set(k, env.get(k)!);
          return out;
      }
    };
    let same = 0;
    let differ = 0;
    for (let i = 0; i < 3000; i++) {
      const env = frame();
      const before = snapshotBindings(env);
      const flatBefore = flat(env);
      const after = trip(env);
      const expected = reference(flatBefore, flat(after));
      assert.equal(sameBindings(before, snapshotBindings(after)), expected, `frame ${i}`);
      if (expected) same++;
      else differ++;
    }
    // Both answers occur often enough for the comparison to mean something.
    assert.ok(same > 300 && differ > 300, `${same} same, ${differ} different`);
  });

  it('answers as the flat map where a name spells another binding\'s flat key', () => {
    const cls = { name: 'C', node: null as never, bases: [], methods: new Map(), defaults: new Map() };
    const n = (k: number): Value => ({ kind: 'int', value: Poly.const(k) });
    const model: Value = { kind: 'instance', cls, fields: new Map([['b', n(1)]]) };
    // The field `a.b` is written over by the binding named `a.b` in the flat map: a change of the
    // field alone is not seen there, and `sameBindings` says what the map says.
    const before = new Map<string, Value>([['a', model], ['a.b', n(7)]]);
    const snap = snapshotBindings(before);
    const flatBefore = flat(before);
    (model as { fields: Map<string, Value> }).fields.set('b', n(2));
    assert.equal(reference(flatBefore, flat(before)), true);
    assert.equal(sameBindings(snap, snapshotBindings(before)), true);
    // The same keys in another order are the same bindings.
    const x = new Map<string, Value>([['x', n(1)], ['y', n(2)]]);
    assert.equal(sameBindings(snapshotBindings(x), snapshotBindings(new Map([['y', n(2)], ['x', n(1)]]))), true);
    // A field and a binding of the same name are different keys (`k.f` against `f`).
    const withField = new Map<string, Value>([['k', { kind: 'instance', cls, fields: new Map([['f', n(1)]]) }]]);
    const s1 = snapshotBindings(withField);
    const withBinding = new Map<string, Value>([['k', (withField.get('k') as Value)], ['f', n(1)]]);
    (withField.get('k') as { fields: Map<string, Value> }).fields.delete('f');
    assert.equal(sameBindings(s1, snapshotBindings(withBinding)), reference(new Map([['k', withField.get('k')!], ['k.f', n(1)]]), flat(withBinding)));
    assert.equal(sameBindings(s1, snapshotBindings(withBinding)), false);
    // A dict entry and an object field of the same name are different keys (`k[f]` against `k.f`).
    const asDict = snapshotBindings(new Map<string, Value>([['k', { kind: 'dict', entries: new Map([['f', n(1)]]) }]]));
    const asObject = snapshotBindings(new Map<string, Value>([['k', { kind: 'instance', cls, fields: new Map([['f', n(1)]]) }]]));
    assert.equal(sameBindings(asDict, asObject), false);
  });
});
