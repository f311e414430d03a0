/**
 * Symbolic dimension arithmetic.
 *
 * Every dimension and every cost is a polynomial over "atoms": named dims (`B`, `T`) or opaque
 * sub-expressions that are not polynomial (`C // n_head` when C is unbound). Keeping costs as
 * polynomials lets the hover print `2*B*T*C^2` while dims are unbound and an exact integer once
 * they are, without ever re-walking the source.
 */

export type Bindings = ReadonlyMap<string, number>;

type Atom =
  | { kind: 'sym'; name: string }
  | { kind: 'floordiv' | 'div' | 'mod' | 'ceildiv'; num: Poly; den: Poly };

interface Term {
  coeff: number;
  /** atom key -> power (positive integers). */
  factors: Map<string, number>;
}

const atoms = new Map<string, Atom>();

function atomKey(a: Atom): string {
  if (a.kind === 'sym') return a.name;
  const op = { floordiv: '//', div: '/', mod: '%', ceildiv: '///' }[a.kind];
  return `(${a.num.toString()}${op}${a.den.toString()})`;
}

function internAtom(a: Atom): string {
  const key = atomKey(a);
  if (!atoms.has(key)) atoms.set(key, a);
  return key;
}

function lcm(a: number, b: number): number {
  const gcd = (x: number, y: number): number => (y === 0 ? x : gcd(y, x % y));
  return (a / gcd(a, b)) * b;
}

function monomialKey(factors: Map<string, number>): string {
  return [...factors.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, p]) => (p === 1 ? k : `${k}^${p}`))
    .join('*');
}

/**
 * Products of two monomials by their keys. Every FLOP and byte formula is a product of dims, so
 * the same few products come back for every op of a file; sorting and joining factor names for
 * each was a tenth of a full analysis. Factor maps are never changed once made: sharing is safe.
 */
const PRODUCTS = new Map<string, Map<string, { key: string; factors: Map<string, number> }>>();
let productCount = 0;

function monomialProduct(ka: string, fa: Map<string, number>, kb: string, fb: Map<string, number>): { key: string; factors: Map<string, number> } {
  let row = PRODUCTS.get(ka);
  if (!row) PRODUCTS.set(ka, (row = new Map()));
  let p = row.get(kb);
  if (!p) {
    const factors = new Map(fa);
    for (const [k, e] of fb) factors.set(k, (factors.get(k) ?? 0) + e);
    p = { key: monomialKey(factors), factors };
    // Bounded: a long session meets new dims without end.
    if (++productCount > 100_000) {
      PRODUCTS.clear();
      productCount = 0;
    }
    row.set(kb, p);
  }
  return p;
}

/**
 * Constants and lone dims are made over and over (every shape of every op has them), and a
 * polynomial is immutable: one object per value is shared. A file of megabytes made hundreds of
 * thousands of them, a few hundred bytes each (a Map per polynomial and per term). Bounded, as
 * a long session meets new numbers and names without end.
 */
const CONSTANTS = new Map<number, Poly>();
const SYMBOLS = new Map<string, Poly>();
const SHARED = new Map<string, Poly>();
const MAX_SHARED = 10_000;

function remember<K>(m: Map<K, Poly>, k: K, p: Poly): void {
  if (m.size >= MAX_SHARED) m.clear();
  m.set(k, p);
}

/** The factors of a constant term, shared (factor maps are never changed once made). */
const NO_FACTORS: Map<string, number> = new Map();

const ASCII = Symbol('ascii');
const EXACT = Symbol('exactKey');
const PRODUCTS_WITH = Symbol('productsWith');
/** Most products a polynomial remembers (`mul`): a shared dim meets new factors in a long session. */
const MAX_PRODUCTS_WITH = 32;

/**
 * Whether a dim name is one the engine made up for a size the code never names (`_3`, from the
 * interpreter's `fresh()`): shown as `?`, never offered for the user to bind.
 */
export function isMadeUpDim(name: string): boolean {
  return /^_\d+$/.test(name);
}

/** A formula or shape as the user sees it: the names of made-up dims (`_3`) written `?`. */
export function userFacing(text: string): string {
  return text.replace(/(?<![\w.])_\d+(?![\w.])/g, '?');
}

/** An immutable polynomial with number coefficients over atoms. */
export class Poly {
  private constructor(private readonly terms: ReadonlyMap<string, Term>) {}

  static readonly ZERO = new Poly(new Map());
  static readonly ONE = Poly.const(1);

  static const(c: number): Poly {
    if (c === 0) return Poly.ZERO;
    let p = CONSTANTS.get(c);
    if (!p) {
      p = new Poly(new Map([['', { coeff: c, factors: NO_FACTORS }]]));
      remember(CONSTANTS, c, p);
    }
    return p;
  }

  static sym(name: string): Poly {
    let p = SYMBOLS.get(name);
    if (!p) {
      const key = internAtom({ kind: 'sym', name });
      p = new Poly(new Map([[key, { coeff: 1, factors: new Map([[key, 1]]) }]]));
      remember(SYMBOLS, name, p);
    }
    return p;
  }

  /**
   * An equal polynomial shared with every other `shared` one of the same terms in the same
   * order (`exactKey`): every computation on it gives the same result bit for bit. For what is
   * kept per op and per function: a file of megabytes kept 117,000 polynomials of 15 values.
   */
  static shared(p: Poly): Poly {
    if (p.terms.size === 0) return Poly.ZERO;
    const key = p.exactKey();
    const hit = SHARED.get(key);
    if (hit) return hit;
    if (SHARED.size >= MAX_SHARED) SHARED.clear();
    SHARED.set(key, p);
    return p;
  }

  private static atom(a: Atom): Poly {
    const key = internAtom(a);
    return new Poly(new Map([[key, { coeff: 1, factors: new Map([[key, 1]]) }]]));
  }

  static from(x: number | Poly): Poly {
    return typeof x === 'number' ? Poly.const(x) : x;
  }

  /** Sum of many polynomials in one pass (adding one by one would copy the terms each time). */
  static sum(ps: readonly Poly[]): Poly {
    const out = new Map<string, Term>();
    for (const p of ps) {
      for (const [k, t] of p.terms) {
        const c = (out.get(k)?.coeff ?? 0) + t.coeff;
        if (c === 0) out.delete(k);
        else out.set(k, { coeff: c, factors: t.factors });
      }
    }
    return new Poly(out);
  }

  isConst(): boolean {
    for (const k of this.terms.keys()) if (k !== '') return false;
    return true;
  }

  /**
   * The constant's value, or undefined when the polynomial has free atoms: `constValue` without
   * walking the keys, for the arithmetic's fast paths (a constant has at most the one term '').
   */
  private constCoeff(): number | undefined {
    const n = this.terms.size;
    if (n === 0) return 0;
    return n === 1 ? this.terms.get('')?.coeff : undefined;
  }

  /** The constant value, or undefined when the polynomial has free atoms. */
  constValue(): number | undefined {
    if (!this.isConst()) return undefined;
    return this.terms.get('')?.coeff ?? 0;
  }

  isZero(): boolean {
    return this.terms.size === 0;
  }

  add(o: Poly | number): Poly {
    const other = Poly.from(o);
    // Adding nothing makes the same polynomial (polynomials never change: it is shared). An
    // accumulator starts at zero and most ops add to one: a copy of the terms each time was a
    // large part of what an analysis allocates.
    if (other.terms.size === 0) return this;
    if (this.terms.size === 0) return other;
    // Two constants (the figures of a model built from a config with defaults): the shared
    // constant, the same sum the term loop below makes, without a map for it.
    const a = this.constCoeff();
    if (a !== undefined) {
      const b = other.constCoeff();
      if (b !== undefined) return Poly.const(a + b);
    }
    const out = new Map<string, Term>();
    for (const [k, t] of this.terms) out.set(k, { coeff: t.coeff, factors: t.factors });
    for (const [k, t] of other.terms) {
      const prev = out.get(k);
      const c = (prev?.coeff ?? 0) + t.coeff;
      if (c === 0) out.delete(k);
      else out.set(k, { coeff: c, factors: t.factors });
    }
    return new Poly(out);
  }

  neg(): Poly {
    return this.scale(-1);
  }

  sub(o: Poly | number): Poly {
    return this.add(Poly.from(o).neg());
  }

  scale(c: number): Poly {
    if (c === 0) return Poly.ZERO;
    // Times one (a multiplier of one trip, a product with 1): the same polynomial, shared.
    if (c === 1) return this;
    // A constant times a number is the shared constant: most figures of a concrete model are
    // constants scaled by loop counts and element sizes.
    const k = this.constCoeff();
    if (k !== undefined) return Poly.const(k * c);
    const out = new Map<string, Term>();
    for (const [k, t] of this.terms) out.set(k, { coeff: t.coeff * c, factors: t.factors });
    return new Poly(out);
  }

  mul(o: Poly | number): Poly {
    if (typeof o === 'number') return this.scale(o);
    // Constants and zero are the common cases (dtype sizes, loop counts): no term products needed.
    const c = o.constValue();
    if (c !== undefined) return this.scale(c);
    const d = this.constValue();
    if (d !== undefined) return o.scale(d);
    // The same two polynomials (objects) multiplied again give the product made the first time:
    // shapes are products of the same shared dims op after op (`B*T*C` for every GEMM of a block),
    // and a product remembered makes the next factor's product the same object again.
    const known = this[PRODUCTS_WITH];
    const hit = known?.get(o);
    if (hit) return hit;
    const out = new Map<string, Term>();
    for (const [ka, a] of this.terms) {
      for (const [kb, b] of o.terms) {
        const { key, factors } = monomialProduct(ka, a.factors, kb, b.factors);
        const coeff = (out.get(key)?.coeff ?? 0) + a.coeff * b.coeff;
        if (coeff === 0) out.delete(key);
        else out.set(key, { coeff, factors });
      }
    }
    const product = new Poly(out);
    const memo = known ?? (this[PRODUCTS_WITH] = new Map());
    if (memo.size >= MAX_PRODUCTS_WITH) memo.clear();
    memo.set(o, product);
    return product;
  }

  /** Products with other polynomials (`mul`), by the other object; a slot only on those multiplied. */
  declare private [PRODUCTS_WITH]?: Map<Poly, Poly>;

  pow(n: number): Poly {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`pow expects a non-negative integer, got ${n}`);
    let r = Poly.ONE;
    for (let i = 0; i < n; i++) r = r.mul(this);
    return r;
  }

  /** Exact division when every coefficient divides (`4*C / 2` = `2*C`), else an opaque atom. */
  div(o: Poly | number): Poly {
    return this.divide(Poly.from(o), 'div');
  }

  /** Python `//`. Exact when the divisor is a constant dividing every coefficient. */
  floordiv(o: Poly | number): Poly {
    return this.divide(Poly.from(o), 'floordiv');
  }

  /** ceil(a / b), used by output-size formulas of strided convolutions. */
  ceildiv(o: Poly | number): Poly {
    return this.divide(Poly.from(o), 'ceildiv');
  }

  mod(o: Poly | number): Poly {
    const den = Poly.from(o);
    const a = this.constValue();
    const b = den.constValue();
    if (a !== undefined && b !== undefined && b !== 0) return Poly.const(((a % b) + b) % b);
    return Poly.atom({ kind: 'mod', num: this, den });
  }

  private divide(den: Poly, kind: 'div' | 'floordiv' | 'ceildiv'): Poly {
    const b = den.constValue();
    const a = this.constValue();
    if (a !== undefined && b !== undefined && b !== 0) {
      if (kind === 'floordiv') return Poly.const(Math.floor(a / b));
      if (kind === 'ceildiv') return Poly.const(Math.ceil(a / b));
      return Poly.const(a / b);
    }
    if (b !== undefined && b !== 0) {
      let exact = true;
      for (const t of this.terms.values()) if (!Number.isInteger(t.coeff / b)) exact = false;
      if (exact || kind === 'div') return this.scale(1 / b);
    }
    // Cancel a common symbolic factor: (B*T*C) // C = B*T, (2*d) // (2*d) = 1 (a grouped
    // convolution's channels per group), when every coefficient divides as well.
    if (den.terms.size === 1) {
      const [dt] = [...den.terms.values()];
      if (dt.coeff !== 0) {
        let ok = this.terms.size > 0;
        for (const t of this.terms.values()) {
          for (const [k, p] of dt.factors) if ((t.factors.get(k) ?? 0) < p) ok = false;
          if (kind !== 'div' && !Number.isInteger(t.coeff / dt.coeff)) ok = false;
        }
        if (ok) {
          const out = new Map<string, Term>();
          for (const t of this.terms.values()) {
            const factors = new Map(t.factors);
            for (const [k, p] of dt.factors) {
              const left = factors.get(k)! - p;
              if (left === 0) factors.delete(k);
              else factors.set(k, left);
            }
            out.set(monomialKey(factors), { coeff: t.coeff / dt.coeff, factors });
          }
          return new Poly(out);
        }
      }
    }
    return Poly.atom({ kind, num: this, den });
  }

  /** Free named dims (not opaque atoms themselves, but the names inside them). */
  freeSymbols(): Set<string> {
    const out = new Set<string>();
    const visit = (p: Poly) => {
      for (const t of p.terms.values()) {
        for (const k of t.factors.keys()) {
          const a = atoms.get(k)!;
          if (a.kind === 'sym') out.add(a.name);
          else {
            visit(a.num);
            visit(a.den);
          }
        }
      }
    };
    visit(this);
    return out;
  }

  /** Substitutes bound dims; returns a polynomial (constant when everything was bound). */
  substitute(b: Bindings): Poly {
    let acc = Poly.ZERO;
    for (const t of this.terms.values()) {
      let term = Poly.const(t.coeff);
      for (const [k, p] of t.factors) {
        const a = atoms.get(k)!;
        let f: Poly;
        if (a.kind === 'sym') {
          const v = b.get(a.name);
          f = v === undefined ? Poly.sym(a.name) : Poly.const(v);
        } else {
          const num = a.num.substitute(b);
          const den = a.den.substitute(b);
          if (a.kind === 'mod') f = num.mod(den);
          else f = num.divide(den, a.kind);
        }
        term = term.mul(f.pow(p));
      }
      acc = acc.add(term);
    }
    return acc;
  }

  /**
   * The same polynomial with some named dims renamed: the hover shows one name for a dim the code
   * calls two things (`C` from `x.size()` and the config's `n_embd`).
   */
  rename(names: ReadonlyMap<string, string>): Poly {
    if (names.size === 0) return this;
    let acc = Poly.ZERO;
    for (const t of this.terms.values()) {
      let term = Poly.const(t.coeff);
      for (const [k, p] of t.factors) {
        const a = atoms.get(k)!;
        let f: Poly;
        if (a.kind === 'sym') f = Poly.sym(names.get(a.name) ?? a.name);
        else if (a.kind === 'mod') f = a.num.rename(names).mod(a.den.rename(names));
        else f = a.num.rename(names).divide(a.den.rename(names), a.kind);
        term = term.mul(f.pow(p));
      }
      acc = acc.add(term);
    }
    return acc;
  }

  /** Number of terms (a long bytes formula is shown as its number, the formula set apart). */
  termCount(): number {
    return this.terms.size;
  }

  /** The dim's name when the polynomial is exactly one named dim (`C`, not `2*C` or `C//2`). */
  loneSymbol(): string | undefined {
    if (this.terms.size !== 1) return undefined;
    const [t] = this.terms.values();
    if (t.coeff !== 1 || t.factors.size !== 1) return undefined;
    const [[k, p]] = t.factors;
    const a = atoms.get(k)!;
    return p === 1 && a.kind === 'sym' ? a.name : undefined;
  }

  /**
   * Python's `math.ceil` / `math.floor` of this number: a true division `a / b` (kept as one
   * atom when it is not exact) becomes `ceildiv` / `floordiv`, so `math.ceil(d_model / 16)` stays
   * a size (Mamba's `dt_rank`); a polynomial without division is an integer already. Undefined
   * when the number may have a fraction this cannot round.
   */
  rounded(mode: 'ceil' | 'floor'): Poly | undefined {
    const c = this.constValue();
    if (c !== undefined) return Poly.const(mode === 'ceil' ? Math.ceil(c) : Math.floor(c));
    let hasDiv = false;
    let den = 1;
    for (const t of this.terms.values()) {
      // `d_model / 16` is kept as `0.0625*d_model`: the least denominator that makes every
      // coefficient whole gives it back as `d_model /// 16`.
      let own = 1;
      while (!Number.isInteger(Math.round(t.coeff * own * 1e9) / 1e9) && own <= 65536) own++;
      if (own > 65536) return undefined;
      den = lcm(den, own);
      for (const k of t.factors.keys()) if (atoms.get(k)!.kind === 'div') hasDiv = true;
    }
    if (den > 1 && !hasDiv) return this.scale(den).divide(Poly.const(den), mode === 'ceil' ? 'ceildiv' : 'floordiv');
    if (den > 1) return undefined;
    if (!hasDiv) return this;
    if (this.terms.size !== 1) return undefined;
    const [t] = this.terms.values();
    if (t.coeff !== 1 || t.factors.size !== 1) return undefined;
    const [[k, p]] = t.factors;
    const a = atoms.get(k)!;
    if (p !== 1 || a.kind !== 'div') return undefined;
    return a.num.divide(a.den, mode === 'ceil' ? 'ceildiv' : 'floordiv');
  }

  /**
   * The number when every dim is bound, else null. Evaluated directly on the terms (no
   * intermediate polynomials): this runs for every op and function on every analysis.
   */
  evaluate(b: Bindings): number | null {
    let sum = 0;
    for (const t of this.terms.values()) {
      const v = termValue(t, b);
      if (v === null) return null;
      sum += v;
    }
    return sum;
  }

  /**
   * A number the polynomial is at least, for sizes the bindings leave open that `open` names
   * (dims the engine made up): the terms free of them, evaluated, when every other term is
   * surely positive (a positive coefficient times sizes, each at least 1, or sums and quotients of
   * such). Null when a term may be negative or a kept term waits for another dim. Totals use it to
   * give the part of a cost the analysis could read ("at least 6.2 TFLOP").
   */
  lowerBound(b: Bindings, open: (name: string) => boolean): number | null {
    let sum = 0;
    for (const t of this.terms.values()) {
      const free = [...t.factors.keys()].some((k) => mentions(k, open));
      if (free) {
        if (!(t.coeff > 0) || [...t.factors.keys()].some((k) => !nonNegativeAtom(k))) return null;
        continue;
      }
      const v = termValue(t, b);
      if (v === null) return null;
      sum += v;
    }
    return sum;
  }

  /**
   * A string equal for two polynomials only when every computation on them gives the same result
   * bit for bit: terms and their factors in stored order (sums and products visit them in that
   * order), coefficients exactly. `toString` sorts and rounds; memo keys need this one.
   */
  exactKey(): string {
    return (this[EXACT] ??= this.makeExactKey());
  }

  /** `exactKey`, made once per polynomial (the call memo asks it of every dim of every argument). */
  // Declared only: a slot is added to the polynomials asked, not to every one.
  declare private [EXACT]?: string;

  private makeExactKey(): string {
    let out = '';
    for (const [k, t] of this.terms) {
      out += `${k}=${t.coeff}`;
      for (const [a, p] of t.factors) out += `;${a}^${p}`;
      out += '+';
    }
    return out;
  }

  /**
   * This polynomial with every coefficient `c` made `c / from * to`, when that is exact: every
   * coefficient a safe integer that `from` divides, every result a safe integer other than 0;
   * else undefined. A product of integer multipliers that began with `from` is then the same
   * product begun with `to`, term for term and in the same order (the call memo replays a run
   * under another loop multiplier).
   */
  rescaled(from: number, to: number): Poly | undefined {
    const out = new Map<string, Term>();
    for (const [k, t] of this.terms) {
      const q = t.coeff / from;
      const c = q * to;
      if (!Number.isSafeInteger(t.coeff) || !Number.isInteger(q) || !Number.isSafeInteger(c) || c === 0) return undefined;
      out.set(k, { coeff: c, factors: t.factors });
    }
    return new Poly(out);
  }

  /**
   * `this.exactKey() === o.exactKey()`, without making either string: the same terms with the same
   * coefficients and factors, in the same order.
   */
  identical(o: Poly): boolean {
    if (this === o) return true;
    if (this.terms.size !== o.terms.size) return false;
    const them = o.terms.entries();
    for (const [k, t] of this.terms) {
      const [k2, u] = them.next().value as [string, Term];
      if (k !== k2 || t.coeff !== u.coeff || t.factors.size !== u.factors.size) return false;
      const fs = u.factors.entries();
      for (const [a, p] of t.factors) {
        const [a2, p2] = fs.next().value as [string, number];
        if (a !== a2 || p !== p2) return false;
      }
    }
    return true;
  }

  equals(o: Poly): boolean {
    if (this === o) return true;
    return this.sameTerms(o) ?? this.toString() === o.toString();
  }

  /**
   * `equals` told from the terms, without formatting either polynomial, when the terms settle it:
   * the same monomials with the same coefficients (equal texts), or the same monomials with
   * integer coefficients that differ somewhere (`fmtNum` writes distinct integers distinctly).
   * Undefined otherwise (different monomials, whose texts could still meet through rounding):
   * the texts then decide. The check after a loop ("did its body cost anything?") asked this of
   * a fresh sum on every loop run, and formatting both sides was 8% of what a full analysis of
   * the generated bench file allocated.
   */
  private sameTerms(o: Poly): boolean | undefined {
    if (this.terms.size !== o.terms.size) return undefined;
    let same = true;
    for (const [k, t] of this.terms) {
      const u = o.terms.get(k);
      if (!u) return undefined;
      if (t.coeff !== u.coeff) {
        if (!Number.isInteger(t.coeff) || !Number.isInteger(u.coeff)) return undefined;
        same = false;
      }
    }
    return same;
  }

  /**
   * The ascii formula, made once per polynomial: `equals` compares formulas, and the interpreter
   * and the rules ask it of the same few polynomials thousands of times per analysis (a fifth of
   * the time in symbolic arithmetic on a model-heavy file went to sorting terms again). Keyed by
   * a symbol, so that JSON and `for...in` see a polynomial as before (facts are told apart by
   * their JSON text).
   */
  declare private [ASCII]?: string;

  /**
   * Formula text. Terms of higher degree first; `ascii` gives `2*B*T*C^2` (the JSON report's
   * `flopsFormula`), `pretty` gives `2·B·T·C²` for hovers.
   */
  toString(style: 'ascii' | 'pretty' = 'ascii'): string {
    if (style === 'ascii') return (this[ASCII] ??= this.format('ascii'));
    return this.format(style);
  }

  private format(style: 'ascii' | 'pretty'): string {
    if (this.terms.size === 0) return '0';
    const mulSign = style === 'pretty' ? '·' : '*';
    const terms = [...this.terms.values()].sort((a, b) => degree(b) - degree(a) || cmp(monomialKey(a.factors), monomialKey(b.factors)));
    let out = '';
    terms.forEach((t, i) => {
      const parts: string[] = [];
      const sortedFactors = [...t.factors.entries()].sort(([a], [b]) => cmp(a, b));
      for (const [k, p] of sortedFactors) {
        const a = atoms.get(k)!;
        // Names the engine invents for sizes nobody gave (`_3`) are never shown: `?` stands for them.
        const base = a.kind === 'sym' ? (style === 'pretty' && isMadeUpDim(a.name) ? '?' : a.name) : atomText(a, style);
        parts.push(p === 1 ? base : style === 'pretty' ? base + superscript(p) : `${base}^${p}`);
      }
      const c = Math.abs(t.coeff);
      const sign = t.coeff < 0 ? '-' : '+';
      let body: string;
      if (parts.length === 0) body = fmtNum(c);
      else if (c === 1) body = parts.join(mulSign);
      else body = fmtNum(c) + mulSign + parts.join(mulSign);
      if (i === 0) out = (sign === '-' ? '-' : '') + body;
      else out += ` ${sign} ${body}`;
    });
    return out;
  }
}

/** A term's value with the dims bound, else null. */
function termValue(t: Term, b: Bindings): number | null {
  let v = t.coeff;
  for (const [k, p] of t.factors) {
    const x = evaluateAtom(k, b);
    if (x === null) return null;
    v *= p === 1 ? x : x ** p;
  }
  return v;
}

/** Whether an atom is, or is computed from, a symbol `open` names. */
function mentions(key: string, open: (name: string) => boolean): boolean {
  const a = atoms.get(key)!;
  if (a.kind === 'sym') return open(a.name);
  const inPoly = (p: Poly) => [...p.freeSymbols()].some(open);
  return inPoly(a.num) || inPoly(a.den);
}

/** Whether an atom is never negative: a size, or a quotient of sums of such with positive coefficients. */
function nonNegativeAtom(key: string): boolean {
  const a = atoms.get(key)!;
  if (a.kind === 'sym') return true;
  const positive = (p: Poly) => (p.lowerBound(new Map(), () => true) ?? -1) >= 0;
  return positive(a.num) && positive(a.den);
}

function evaluateAtom(key: string, b: Bindings): number | null {
  const a = atoms.get(key)!;
  if (a.kind === 'sym') return b.get(a.name) ?? null;
  const num = a.num.evaluate(b);
  const den = a.den.evaluate(b);
  if (num === null || den === null || den === 0) return null;
  switch (a.kind) {
    case 'floordiv':
      return Math.floor(num / den);
    case 'ceildiv':
      return Math.ceil(num / den);
    case 'mod':
      return ((num % den) + den) % den;
    default:
      return num / den;
  }
}

function atomText(a: Exclude<Atom, { kind: 'sym' }>, style: 'ascii' | 'pretty'): string {
  const wrap = (p: Poly) => (p.isConst() || /^[A-Za-z_][\w.]*$/.test(p.toString()) ? p.toString(style) : `(${p.toString(style)})`);
  if (a.kind === 'ceildiv') return `ceil(${a.num.toString(style)}/${a.den.toString(style)})`;
  const op = { floordiv: '//', div: '/', mod: '%' }[a.kind];
  return `(${wrap(a.num)}${op}${wrap(a.den)})`;
}

function degree(t: Term): number {
  let d = 0;
  for (const p of t.factors.values()) d += p;
  return d;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function fmtNum(n: number): string {
  return Number.isInteger(n) ? String(n) : String(+n.toPrecision(6));
}

const SUP: Record<string, string> = { '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' };
function superscript(n: number): string {
  return String(n).split('').map((d) => SUP[d] ?? d).join('');
}

/** Product of dims, the element count of a shape. */
export function product(dims: readonly Poly[]): Poly {
  return dims.reduce((acc, d) => acc.mul(d), Poly.ONE);
}
