/**
 * The world size as the libraries hand it out (distributedFacts.ts): one symbolic dim,
 * `world_size`, so that `batch_size // dist.get_world_size()` is a per-rank batch the figures and
 * TC601–TC603 can bind, and `lr * hvd.size()` is recognisably a product with the world size.
 * Accelerate's `Accelerator()` is an object whose `num_processes` is the world size and whose
 * `prepare(...)` hands back what it is given (wrapped for DDP, which computes the same).
 */
import { Poly } from '../../../core/symbolic';
import { NONE, UNKNOWN, Value } from '../values';
import { environValue, worldSizeValue } from '../distributedFacts';
import { defineFunction } from './registry';

defineFunction(
  [
    'torch.distributed.get_world_size',
    'torch.distributed.distributed_c10d.get_world_size',
    'horovod.torch.size',
    'horovod.tensorflow.size',
    'horovod.keras.size',
    'horovod.tensorflow.keras.size',
    'deepspeed.comm.get_world_size',
    'torch_xla.core.xla_model.xrt_world_size',
    'torch_xla.runtime.world_size',
  ],
  () => worldSizeValue(),
);

// `os.environ.get("WORLD_SIZE", 1)`, `os.getenv("WORLD_SIZE")`: other variables stay unknown.
defineFunction(['os.environ.get', 'os.getenv'], (args, kwargs) => environValue(args[0] ?? kwargs.get('key')) ?? UNKNOWN);

const method = (cls: string, call: (args: Value[]) => Value): Value => ({ kind: 'module', cls, params: Poly.ZERO, call: (args) => call(args) });

defineFunction(['accelerate.Accelerator', 'accelerate.accelerator.Accelerator', 'accelerate.PartialState', 'accelerate.state.PartialState'], () => ({
  kind: 'module',
  cls: 'accelerate.Accelerator',
  params: Poly.ZERO,
  call: () => UNKNOWN,
  attrs: new Map<string, Value>([
    ['num_processes', worldSizeValue()],
    // `model, optimizer, loader = accelerator.prepare(model, optimizer, loader)`: the same objects.
    ['prepare', method('accelerate.Accelerator.prepare', (args) => (args.length === 1 ? args[0] : { kind: 'tuple', items: args }))],
    ['prepare_model', method('accelerate.Accelerator.prepare_model', (args) => args[0] ?? UNKNOWN)],
    ['unwrap_model', method('accelerate.Accelerator.unwrap_model', (args) => args[0] ?? UNKNOWN)],
    ['wait_for_everyone', method('accelerate.Accelerator.wait_for_everyone', () => NONE)],
    ['print', method('accelerate.Accelerator.print', () => NONE)],
  ]),
}));
