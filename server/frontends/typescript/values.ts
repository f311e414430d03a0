/**
 * What the TF.js interpreter knows about a JavaScript value: tensors with symbolic shapes, numbers
 * as polynomials, strings, lists, objects (class instances too), TF.js namespaces, layers, models
 * and closures. Anything else is `unknown` and flows on without breaking the analysis.
 */
import ts from 'typescript';
import { DType } from '../../core/dtypes';
import { Dim, Range, TensorType } from '../../core/ir';
import { OpContext, OpResult } from '../../core/ops/types';
import { Poly } from '../../core/symbolic';

/** How a tensor of a functional model was computed, to replay the graph on other inputs. */
export type Provenance = { input: number } | { layer: Layer; args: TfValue[] };

/** What a tensor is on the way through hand-written attention (for TC201 / TC202). */
export interface AttentionTag {
  stage: 'scores' | 'probs';
  scores: Range;
  softmax?: Range;
  q: string;
  k: string;
  scaled: boolean;
  masked: boolean;
}

export interface TensorValue {
  kind: 'tensor';
  type: TensorType;
  src?: Provenance;
  attention?: AttentionTag;
  /** The source text the value came from, for the rules' messages. */
  text?: string;
}

/**
 * Where and how a layer's ops are recorded: at the layer's own line when a model is built, at the
 * `predict` / `fit` call when it runs (with the trips of that run).
 */
export interface Recorder {
  ctx: OpContext;
  record(r: OpResult, inputs: TensorType[], site: ts.Node | null, name: string): void;
}

export interface Layer {
  kind: 'layer';
  /** `dense`, `conv2d`... as in `tf.layers.dense`. */
  type: string;
  /** The `tf.layers.x(...)` call that made it. */
  site: ts.Node | null;
  /** The input shape the config declares, batch dim included (`inputShape`, `batchInputShape`). */
  inputShape: Dim[] | null;
  /** The config object it was made with. */
  config?: TfValue;
  /** Runs the layer on input types; null output when the shapes are unknown. */
  call(xs: TensorType[], rec: Recorder): TensorType | null;
}

export interface Model {
  kind: 'model';
  /** Sequential: the layers in order. */
  layers: Layer[];
  /** Sequential: the type after the last layer added, when the input shape is known. */
  out: TensorType | null;
  /** Sequential: the input type of the first layer. */
  input: TensorType | null;
  /** Functional: the graph's inputs and outputs. */
  inputs?: TensorValue[];
  outputs?: TensorValue[];
  /** Creation order of sequential models, to tell which existed before a branch ran. */
  seq?: number;
}

export interface Closure {
  kind: 'fn';
  name: string | null;
  node: ts.SignatureDeclaration;
  /** The scope the function was defined in. */
  env: Scope;
  /** `this` inside, for methods of a class instance. */
  self?: TfValue;
  /** Analysed on its own (module-level functions, methods): calls into it then only add cost. */
  standalone: boolean;
}

export interface ClassValue {
  kind: 'class';
  name: string;
  node: ts.ClassLikeDeclaration;
  env: Scope;
}

export type TfValue =
  | TensorValue
  | { kind: 'int'; value: Poly }
  | { kind: 'str'; value: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'list'; items: TfValue[] }
  | { kind: 'object'; fields: Map<string, TfValue>; cls?: ClassValue }
  /** A TF.js namespace or function: '' is `tf` itself, `layers`, `layers.dense`, `matMul`... */
  | { kind: 'ns'; path: string }
  | Layer
  | Model
  | Closure
  | ClassValue
  /**
   * A value we cannot see. `name` is the source that gave it (an imported constant, a parameter,
   * `config.units`): used as a number, it becomes a symbolic dim of that name, which the user can
   * bind like any other.
   */
  | { kind: 'unknown'; name?: string };

export const UNKNOWN: TfValue = { kind: 'unknown' };

export class Scope {
  readonly vars = new Map<string, TfValue>();
  constructor(readonly parent: Scope | null) {}

  lookup(name: string): TfValue | undefined {
    for (let s: Scope | null = this; s; s = s.parent) {
      const v = s.vars.get(name);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  /** Assignment: the innermost scope that has the name, else this one. */
  assign(name: string, v: TfValue): void {
    for (let s: Scope | null = this; s; s = s.parent) {
      if (s.vars.has(name)) {
        s.vars.set(name, v);
        return;
      }
    }
    this.vars.set(name, v);
  }
}

export const tensorOf = (shape: Dim[] | null, dtype: DType | null, extra?: Partial<TensorValue>): TensorValue => ({ kind: 'tensor', type: { shape, dtype }, ...extra });

export function isTensor(v: TfValue | undefined): v is TensorValue {
  return v?.kind === 'tensor';
}

/** A number, or the symbolic dim an unseen named value stands for. */
export function dimOf(v: TfValue | undefined): Dim | null {
  if (v?.kind === 'int') return v.value;
  if (v?.kind === 'unknown' && v.name && /^[A-Za-z_$][\w$.[\]]*$/.test(v.name) && v.name.length <= 40) return Poly.sym(v.name);
  return null;
}

/** Integer dims of a list value (`[m, k]`), or null when one is not a number. */
export function dimsOf(v: TfValue | undefined): Dim[] | null {
  const one = dimOf(v);
  if (one) return [one];
  if (v?.kind !== 'list') return null;
  const out: Dim[] = [];
  for (const x of v.items) {
    const d = dimOf(x);
    if (!d) return null;
    out.push(d);
  }
  return out;
}

/** A field of an object literal config (`{units: 10}`), or undefined. */
export function field(v: TfValue | undefined, name: string): TfValue | undefined {
  return v?.kind === 'object' ? v.fields.get(name) : undefined;
}

export function intConst(v: TfValue | undefined): number | undefined {
  return v?.kind === 'int' ? v.value.constValue() : undefined;
}

export function strOf(v: TfValue | undefined): string | undefined {
  return v?.kind === 'str' ? v.value : undefined;
}
