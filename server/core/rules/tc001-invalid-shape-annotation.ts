import { Rule } from './types';

export const rule: Rule = {
  code: 'TC001',
  name: 'invalid-shape-annotation',
  defaultSeverity: 'error',
  summary: 'A shape annotation cannot be parsed.',
  docs: {
    what: 'Flags jaxtyping, torchtyping, shape-comment and `# tensorcost:` annotations that cannot be parsed.',
    why: 'An annotation that cannot be read gives no shape: every cost that depends on it is lost, silently, and the annotation misleads the next reader.',
    example: 'def f(x: Float[Tensor, "batch seq+"]): ...   # "seq+" is not a dim',
    useInstead: 'def f(x: Float[Tensor, "batch seq"]): ...',
  },
};
