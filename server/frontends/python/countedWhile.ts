/**
 * `while` loops whose trip count the code fixes: a counter stepped by a constant once per trip
 * and tested against a known bound, either in the loop's condition (`while step < max_steps:`)
 * or by a last statement that leaves (`while True: ... iter_num += 1; if iter_num > max_iters:
 * break`, nanoGPT's training loop). Anything else that could end the loop early (a `return`, a
 * `break` under a condition that is not always false) makes the count unknown, and the loop keeps
 * the interpreter's "one trip counted" with its reason.
 *
 * Inside such a loop, or a `for` loop over a range, `if counter % K == 0:` (an evaluation every
 * `eval_interval` steps) runs a known number of times, not every trip: `tripTest` reads such a
 * test as a function of the counter and `countTrips` counts the trips it holds on.
 */
import type { Node } from './parser';

/** A `while` loop with a known trip count, and what a periodic test inside it needs. */
export interface CountedWhile {
  counter: string;
  /** The counter's value before the first trip. */
  start: number;
  /** What one trip adds to the counter. */
  step: number;
  trips: number;
  /** Index among the body's statements of the one that steps the counter. */
  stepAt: number;
}

/** The values the interpreter knows, asked for by node (a bound, the counter's start). */
export interface LoopValues {
  /** The integer a node evaluates to before the loop, if it is a known constant. */
  constant(n: Node): number | undefined;
  /** Whether a condition is false on every trip (it names nothing the body assigns and is false). */
  alwaysFalse(n: Node, assigned: ReadonlySet<string>): boolean;
}

/** The statements of a block, comments left out. */
export function statementsOf(block: Node | null): Node[] {
  return (block?.namedChildren ?? []).filter((c): c is Node => !!c && c.type !== 'comment');
}

export function countWhile(s: Node, values: LoopValues): CountedWhile | undefined {
  const body = s.childForFieldName('body');
  const cond = s.childForFieldName('condition');
  if (!body || !cond || s.childForFieldName('alternative')) return undefined;
  const stmts = statementsOf(body);
  const assigned = new Map<string, number>();
  const exits: Node[] = [];
  scan(body, assigned, exits, 0);

  // The test that ends the loop: its condition, or a last `if ...: break`.
  let test: Node;
  let leaves: boolean;
  let last: Node | undefined;
  if (cond.type === 'true' || (cond.type === 'integer' && cond.text === '1')) {
    last = stmts[stmts.length - 1];
    const breaks = last?.type === 'if_statement' && !last.childForFieldName('alternative') && statementsOf(last.childForFieldName('consequence')).every((x) => x.type === 'break_statement') && statementsOf(last.childForFieldName('consequence')).length === 1;
    if (!breaks || !last) return undefined;
    test = last.childForFieldName('condition')!;
    leaves = true;
  } else {
    test = cond;
    leaves = false;
  }
  const cmp = comparison(test);
  if (!cmp) return undefined;

  // Every other way out must never be taken.
  for (const e of exits) {
    if (last && e.parent?.parent?.id === last.id) continue;
    if (e.type === 'return_statement') return undefined;
    const guard = e.parent?.parent;
    if (guard?.type !== 'if_statement' || !values.alwaysFalse(guard.childForFieldName('condition')!, new Set(assigned.keys()))) return undefined;
  }

  const counter = cmp.name;
  if (assigned.get(counter) !== 1) return undefined;
  const stepAt = stmts.findIndex((x) => stepOf(x, counter) !== undefined);
  if (stepAt < 0 || (last && stepAt === stmts.length - 1)) return undefined;
  const step = stepOf(stmts[stepAt], counter)!;
  const start = values.constant(cmp.nameNode);
  const bound = cmp.boundNames.some((n) => assigned.has(n)) ? undefined : values.constant(cmp.boundNode);
  if (start === undefined || bound === undefined || step <= 0) return undefined;

  const trips = leaves ? tripsUntil(cmp.op, start, step, bound) : tripsWhile(cmp.op, start, step, bound);
  if (trips === undefined || !Number.isSafeInteger(trips) || trips < 0) return undefined;
  return { counter, start, step, trips, stepAt };
}

/**
 * Whether a statement's test holds on the trip where the counter has value `v`, with what
 * counting needs: the moduli of its periodic parts and the values where a comparison changes.
 */
export interface TripTest {
  test: (v: number) => boolean;
  moduli: number[];
  points: number[];
}

/** What `tripTest` asks of the interpreter. */
export interface TestValues {
  /** The integer a node evaluates to, if it is a known constant. */
  constant(n: Node): number | undefined;
  /** The truth of a test that does not involve the counter, if known. */
  truth(n: Node): boolean | undefined;
}

/** Counted loops longer than this are not walked trip by trip to count a periodic test. */
export const MAX_COUNTED_TRIPS = 2_000_000;

/**
 * A statement's test as a function of the loop counter: `step % 250 == 0 or last_step` (with
 * `last_step = step == max_steps - 1` assigned in the body), `step > 0 and step % K == 0`,
 * `(...) and not use_compile`. Parts that do not involve the counter are asked of the
 * interpreter; one it cannot decide counts as true, as an undecidable branch is counted taken.
 * Undefined when the test does not involve the counter at all.
 */
export function tripTest(cond: Node, counter: string, aliases: ReadonlyMap<string, Node>, values: TestValues): TripTest | undefined {
  const built = build(cond, counter, aliases, values, 0);
  return built && built.counter ? built : undefined;
}

/**
 * How many of `trips` values `first`, `first + step`, ... pass the test. Between two values where
 * a comparison changes, the test repeats with the least common multiple of its moduli, so a
 * stretch is counted one period at a time, not trip by trip (nanoGPT's 600,001 trips).
 */
export function countTrips(t: TripTest, first: number, step: number, trips: number): number | undefined {
  const walk = (from: number, n: number, by: number) => {
    let c = 0;
    for (let k = 0, v = from; k < n; k++, v += by) if (t.test(v)) c++;
    return c;
  };
  if (step !== 1) return trips > MAX_COUNTED_TRIPS ? undefined : walk(first, trips, step);
  let period = 1;
  for (const m of t.moduli) period = lcm(period, m);
  if (period > MAX_COUNTED_TRIPS) return trips > MAX_COUNTED_TRIPS ? undefined : walk(first, trips, 1);
  const last = first + trips - 1;
  const cuts = [...new Set(t.points.flatMap((p) => [p, p + 1]))].filter((p) => p > first && p <= last).sort((x, y) => x - y);
  let n = 0;
  let from = first;
  for (const to of [...cuts, last + 1]) {
    const len = to - from;
    const whole = Math.floor(len / period);
    n += whole > 1 ? whole * walk(from, period, 1) + walk(from + whole * period, len - whole * period, 1) : walk(from, len, 1);
    from = to;
  }
  return n;
}

/**
 * The first of `trips` values `first`, `first + step`, ... that passes the test, as a trip index;
 * `trips` when none does; undefined past the bound on trips walked.
 */
export function firstTrip(t: TripTest, first: number, step: number, trips: number): number | undefined {
  if (trips > MAX_COUNTED_TRIPS) return undefined;
  for (let k = 0, v = first; k < trips; k++, v += step) if (t.test(v)) return k;
  return trips;
}

function lcm(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y) [x, y] = [y, x % y];
  return (a / x) * b;
}

/** The names a loop body assigns exactly once, at its top level, with the value assigned. */
export function aliasesOf(body: Node, before: number): Map<string, Node> {
  const assigned = new Map<string, number>();
  scan(body, assigned, [], 0);
  const out = new Map<string, Node>();
  statementsOf(body).slice(0, before).forEach((stmt) => {
    const e = stmt.type === 'expression_statement' ? stmt.namedChild(0) : null;
    const left = e?.type === 'assignment' ? e.childForFieldName('left') : null;
    const right = e?.childForFieldName('right');
    if (left?.type === 'identifier' && right && assigned.get(left.text) === 1) out.set(left.text, right);
  });
  return out;
}

interface Built extends TripTest {
  /** Whether the counter takes part (else the test is the same on every trip). */
  counter: boolean;
}

function constant(v: boolean): Built {
  return { test: () => v, moduli: [], points: [], counter: false };
}

function build(n: Node, counter: string, aliases: ReadonlyMap<string, Node>, values: TestValues, depth: number): Built | undefined {
  if (depth > 16) return undefined;
  const atom = (): Built | undefined => (namesOf(n).includes(counter) ? undefined : constant(values.truth(n) ?? true));
  switch (n.type) {
    case 'parenthesized_expression':
      return n.namedChild(0) ? build(n.namedChild(0)!, counter, aliases, values, depth + 1) : undefined;
    case 'not_operator': {
      const inner = n.childForFieldName('argument');
      const b = inner ? build(inner, counter, aliases, values, depth + 1) : undefined;
      // Not of an undecided part is undecided too: counted as true.
      if (b && !b.counter && inner && values.truth(inner) === undefined) return constant(true);
      return b ? { ...b, test: (v) => !b.test(v) } : undefined;
    }
    case 'boolean_operator': {
      const op = n.childForFieldName('operator')?.text;
      const l = build(n.childForFieldName('left')!, counter, aliases, values, depth + 1);
      const r = build(n.childForFieldName('right')!, counter, aliases, values, depth + 1);
      if (!l || !r || (op !== 'and' && op !== 'or')) return undefined;
      const both = { moduli: [...l.moduli, ...r.moduli], points: [...l.points, ...r.points], counter: l.counter || r.counter };
      return { ...both, test: op === 'and' ? (v) => l.test(v) && r.test(v) : (v) => l.test(v) || r.test(v) };
    }
    case 'identifier': {
      const alias = n.text !== counter ? aliases.get(n.text) : undefined;
      if (alias) return build(alias, counter, aliases, values, depth + 1);
      return atom();
    }
    case 'comparison_operator': {
      const every = periodicTest(n, counter);
      if (every) {
        const k = values.constant(every);
        return k !== undefined && k > 0 ? { test: (v) => v % k === 0, moduli: [k], points: [], counter: true } : undefined;
      }
      const cmp = comparison(n);
      if (cmp && cmp.name === counter) {
        if (cmp.boundNames.includes(counter)) return undefined;
        const e = values.constant(cmp.boundNode);
        if (e === undefined) return undefined;
        const tests: Record<string, (v: number) => boolean> = { '<': (v) => v < e, '<=': (v) => v <= e, '>': (v) => v > e, '>=': (v) => v >= e, '==': (v) => v === e, '!=': (v) => v !== e };
        return tests[cmp.op] ? { test: tests[cmp.op], moduli: [], points: [e], counter: true } : undefined;
      }
      return atom();
    }
    default:
      return atom();
  }
}

/** `counter % K == 0` (either side): the node of K. */
function periodicTest(cond: Node, counter: string): Node | undefined {
  if (cond.type !== 'comparison_operator' || cond.namedChildCount !== 2 || operatorsOf(cond).join() !== '==') return undefined;
  const [a, b] = [cond.namedChild(0)!, cond.namedChild(1)!];
  const mod = b.type === 'integer' && b.text === '0' ? a : a.type === 'integer' && a.text === '0' ? b : undefined;
  const m = mod?.type === 'parenthesized_expression' ? mod.namedChild(0) : mod;
  if (m?.type !== 'binary_operator' || m.childForFieldName('operator')?.text !== '%') return undefined;
  if (m.childForFieldName('left')?.type !== 'identifier' || m.childForFieldName('left')?.text !== counter) return undefined;
  return m.childForFieldName('right') ?? undefined;
}

/** The conjuncts of `a and b and c`. */
export function conjuncts(cond: Node): Node[] {
  if (cond.type === 'boolean_operator' && cond.childForFieldName('operator')?.text === 'and') {
    return [...conjuncts(cond.childForFieldName('left')!), ...conjuncts(cond.childForFieldName('right')!)];
  }
  return [cond];
}

/** Trips of `while counter OP bound:` (the test before each trip). */
function tripsWhile(op: string, start: number, step: number, bound: number): number | undefined {
  if (op === '<') return Math.max(0, Math.ceil((bound - start) / step));
  if (op === '<=') return Math.max(0, Math.floor((bound - start) / step) + 1);
  return undefined;
}

/** Trips of a loop that steps, then leaves once `counter OP bound` (the test after the step). */
function tripsUntil(op: string, start: number, step: number, bound: number): number | undefined {
  if (op === '>') return Math.max(1, Math.floor((bound - start) / step) + 1);
  if (op === '>=') return Math.max(1, Math.ceil((bound - start) / step));
  if (op === '==') return bound > start && (bound - start) % step === 0 ? (bound - start) / step : undefined;
  return undefined;
}

interface Comparison {
  name: string;
  nameNode: Node;
  op: string;
  boundNode: Node;
  boundNames: string[];
}

/** `name OP bound` or `bound OP name` (flipped), with one operator. */
function comparison(test: Node): Comparison | undefined {
  if (test.type === 'parenthesized_expression') return test.namedChild(0) ? comparison(test.namedChild(0)!) : undefined;
  if (test.type !== 'comparison_operator' || test.namedChildCount !== 2) return undefined;
  const ops = operatorsOf(test);
  if (ops.length !== 1) return undefined;
  const [a, b] = [test.namedChild(0)!, test.namedChild(1)!];
  const flip: Record<string, string> = { '<': '>', '>': '<', '<=': '>=', '>=': '<=', '==': '==', '!=': '!=' };
  if (a.type === 'identifier') return { name: a.text, nameNode: a, op: ops[0], boundNode: b, boundNames: namesOf(b) };
  if (b.type === 'identifier' && flip[ops[0]]) return { name: b.text, nameNode: b, op: flip[ops[0]], boundNode: a, boundNames: namesOf(a) };
  return undefined;
}

function operatorsOf(cmp: Node): string[] {
  const out: string[] = [];
  for (let i = 0; i < cmp.childCount; i++) {
    const c = cmp.child(i);
    if (c && !c.isNamed) out.push(c.type);
  }
  return out;
}

/** `counter += c` or `counter = counter + c` with a positive integer literal c. */
function stepOf(stmt: Node, counter: string): number | undefined {
  const e = stmt.type === 'expression_statement' ? stmt.namedChild(0) : null;
  if (!e) return undefined;
  const left = e.childForFieldName('left');
  const right = e.childForFieldName('right');
  if (left?.type !== 'identifier' || left.text !== counter || !right) return undefined;
  if (e.type === 'augmented_assignment' && e.childForFieldName('operator')?.text === '+=' && right.type === 'integer') return Number(right.text);
  if (e.type === 'assignment' && right.type === 'binary_operator' && right.childForFieldName('operator')?.text === '+') {
    const l = right.childForFieldName('left');
    const r = right.childForFieldName('right');
    if (l?.type === 'identifier' && l.text === counter && r?.type === 'integer') return Number(r.text);
  }
  return undefined;
}

export function namesOf(n: Node): string[] {
  if (n.type === 'identifier') return [n.text];
  const out: string[] = [];
  for (const c of n.namedChildren) if (c) out.push(...namesOf(c));
  return out;
}

/**
 * Names the body assigns (how many times, syntactically) and its ways out: `return`s outside
 * nested definitions, `break`s outside nested loops.
 */
function scan(n: Node, assigned: Map<string, number>, exits: Node[], loops: number): void {
  for (const c of n.namedChildren) {
    if (!c) continue;
    switch (c.type) {
      case 'function_definition':
      case 'class_definition':
      case 'lambda':
        continue;
      case 'return_statement':
        exits.push(c);
        break;
      case 'break_statement':
        if (loops === 0) exits.push(c);
        break;
      case 'assignment':
      case 'augmented_assignment': {
        const left = c.childForFieldName('left');
        for (const name of left ? targetNames(left) : []) assigned.set(name, (assigned.get(name) ?? 0) + 1);
        break;
      }
      case 'for_statement': {
        const left = c.childForFieldName('left');
        for (const name of left ? targetNames(left) : []) assigned.set(name, (assigned.get(name) ?? 0) + 2);
        break;
      }
    }
    scan(c, assigned, exits, loops + (c.type === 'for_statement' || c.type === 'while_statement' ? 1 : 0));
  }
}

function targetNames(left: Node): string[] {
  if (left.type === 'identifier') return [left.text];
  if (left.type === 'pattern_list' || left.type === 'tuple_pattern' || left.type === 'list_pattern') return left.namedChildren.flatMap((c) => (c ? targetNames(c) : []));
  return [];
}
