import { Rule } from './types';

export const rule: Rule = {
  code: 'TC002',
  name: 'shape-mismatch',
  defaultSeverity: 'error',
  summary: 'Contraction dims differ, broadcasting fails, a reshape changes the element count, or conv channels differ.',
  docs: {
    what: 'Flags operations whose operand shapes cannot work together: a matmul whose inner dims differ, elementwise operands that do not broadcast, a `view`/`reshape` that changes the number of elements, a convolution whose input channels differ from its weight.',
    why: 'The code raises at run time, after the model was built and the data loaded; the static check finds it as you type. A dim is only called different when both sides have known values that differ, so symbolic dims never give false alarms.',
    example: 'def f(a: Float[Tensor, "m 64"], b: Float[Tensor, "32 n"]):\n    return a @ b   # 64 vs 32',
    useInstead: 'def f(a: Float[Tensor, "m 64"], b: Float[Tensor, "64 n"]):\n    return a @ b',
  },
};
