/**
 * Model-parallel communication: Megatron-style tensor parallelism and pipeline bubbles (docs/cost-model.md).
 *
 * Tensor parallel (Shoeybi et al. 2019, "Megatron-LM", §3): the MLP splits its first GEMM by
 * columns and its second by rows, and attention splits by heads, so each transformer layer needs
 * one all-reduce of the activations (b·s·h elements) after attention and one after the MLP in the
 * forward pass (the `g` operators), and two more in the backward pass (the `f` operators): four
 * all-reduces of b·s·h elements per layer per training step, over the t tensor-parallel ranks.
 *
 * Pipeline parallel (GPipe / Megatron's 1F1B schedule): with p stages and m micro-batches, the
 * idle fraction of a step is (p−1)/(m+p−1).
 */
import { Link, ringAllReduce } from './collectives';

export interface TensorParallelLayer {
  /** Micro-batch size b, sequence length s, hidden size h. */
  batch: number;
  seq: number;
  hidden: number;
  /** Bytes per activation element (2 for fp16/bf16). */
  bytesPerElement: number;
  /** Tensor-parallel ranks t. */
  ranks: number;
}

export interface TensorParallelComm {
  /** Elements of one all-reduced activation: b·s·h. */
  elementsPerAllReduce: number;
  forwardAllReduces: number;
  backwardAllReduces: number;
  /** Bytes all-reduced per layer per training step (forward + backward). */
  bytesPerLayer: number;
  /** Ring time per layer per training step on the given link. */
  secondsPerLayer: number;
}

/** Megatron's per-layer traffic: 2 all-reduces forward + 2 backward of b·s·h elements each. */
export function megatronLayerComm(l: TensorParallelLayer, link: Link): TensorParallelComm {
  const elements = l.batch * l.seq * l.hidden;
  const bytes = elements * l.bytesPerElement;
  const one = ringAllReduce(bytes, l.ranks, link).seconds;
  return {
    elementsPerAllReduce: elements,
    forwardAllReduces: 2,
    backwardAllReduces: 2,
    bytesPerLayer: 4 * bytes,
    secondsPerLayer: 4 * one,
  };
}

/** Pipeline bubble fraction (p−1)/(m+p−1) for p stages and m micro-batches. */
export function pipelineBubble(stages: number, microBatches: number): number {
  if (stages <= 1) return 0;
  const m = Math.max(1, microBatches);
  return (stages - 1) / (m + stages - 1);
}
