/**
 * Lightning Fabric (`fabric = L.Fabric(...)`; lit-llama, lit-gpt): the object that sets a model up
 * for its devices and hands it back. `model = fabric.setup(model)` is the model, run as it is
 * written (a wrapper, as DDP is for `torch.compile`, interpreter.ts `MODEL_WRAPPERS`): without
 * it, every forward a Fabric script runs was an unknown callee. The figures are rank 0's, as for
 * `mp.spawn`: `fabric.global_rank` is 0 and `fabric.world_size` the world-size dim.
 */
import { Poly } from '../../../core/symbolic';
import { NONE, UNKNOWN, Value, int } from '../values';
import { worldSizeValue } from '../distributedFacts';
import { BuiltinCtx, defineFunction } from './registry';

type Method = (args: Value[], ctx?: BuiltinCtx) => Value;
const method = (name: string, call: Method): [string, Value] => [name, { kind: 'module', cls: `lightning.Fabric.${name}`, params: Poly.ZERO, call: (args, _kwargs, _site, ctx) => call(args, ctx) }];

/** `setup(model, opt)`, `setup_dataloaders(a, b)`: the objects given, one alone or all as a tuple. */
const same: Method = (args) => (args.length === 1 ? args[0] : args.length === 0 ? NONE : { kind: 'tuple', items: args });
/** Calls that compute nothing on tensors (printing, saving, syncing, seeding). */
const nothing: Method = () => NONE;

defineFunction(['lightning.Fabric', 'lightning.fabric.Fabric', 'lightning.fabric.fabric.Fabric', 'lightning_fabric.Fabric', 'lightning_fabric.fabric.Fabric'], () => ({
  kind: 'module',
  cls: 'lightning.Fabric',
  params: Poly.ZERO,
  call: () => UNKNOWN,
  attrs: new Map<string, Value>([
    ['world_size', worldSizeValue()],
    ['global_rank', int(0)],
    ['local_rank', int(0)],
    ['node_rank', int(0)],
    method('setup', same),
    method('setup_module', same),
    method('setup_optimizers', same),
    method('setup_dataloaders', same),
    method('to_device', same),
    method('broadcast', (args) => args[0] ?? UNKNOWN),
    // `fabric.backward(loss)` is `loss.backward()`: the step trains.
    method('backward', (_args, ctx) => {
      ctx?.trains?.();
      return NONE;
    }),
    method('launch', nothing),
    method('seed_everything', nothing),
    method('print', nothing),
    method('barrier', nothing),
    method('save', nothing),
    method('log', nothing),
    method('log_dict', nothing),
  ]),
}));
