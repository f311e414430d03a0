import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { DistCompression, DistScaling, DistSite, DistSync } from '../../server/core/comm/signals';
import { collectDistributedSignals } from '../../server/frontends/python/distributed';
import { initPython, parsePython } from '../../server/frontends/python/parser';

const signals = (src: string) => collectDistributedSignals(parsePython(src).rootNode, src);

describe('distributed signals', () => {
  before(initPython);

  it('finds wrappers, the model class and bucket size', () => {
    const s = signals(`
from torch.nn.parallel import DistributedDataParallel as DDP
from torch.distributed.fsdp import FullyShardedDataParallel as FSDP
net = Net(cfg)
a = DDP(net.to(rank), device_ids=[rank], bucket_cap_mb=50)
b = FSDP(net)
model, opt = accelerator.prepare(model, opt)
engine, _, _, _ = deepspeed.initialize(model=net, config=ds)
`);
    const sync = s['dist.sync'] as DistSync[];
    assert.deepEqual(sync.map((x) => x.kind), ['ddp', 'fsdp', 'accelerate', 'deepspeed']);
    assert.equal(sync[0].model, 'net');
    assert.equal(sync[0].modelClass, 'Net');
    assert.equal(sync[0].bucketBytes, 50 * 1024 * 1024);
  });

  it('tells compression hooks apart', () => {
    const s = signals(`
model.register_comm_hook(state, powerSGD.powerSGD_hook)
model.register_comm_hook(None, default_hooks.fp16_compress_hook)
model.register_comm_hook(None, default_hooks.bf16_compress_hook)
model.register_comm_hook(None, my_hook)
opt = hvd.DistributedOptimizer(opt, compression=hvd.Compression.fp16)
`);
    assert.deepEqual((s['dist.compression'] as DistCompression[]).map((c) => c.kind), ['powersgd', 'fp16', 'bf16', 'custom', 'fp16']);
    assert.equal((s['dist.sync'] as DistSync[])[0].kind, 'horovod');
  });

  it('sees linear lr/batch scaling by the world size, not square-root scaling or other products', () => {
    const s = signals(`
lr = base_lr * dist.get_world_size()
global_batch = batch_size * world_size
opt = SGD(params, lr=0.1 * hvd.size())
lr2 = base_lr * math.sqrt(world_size)
tokens_per_iter = gradient_accumulation_steps * ddp_world_size * batch_size * block_size
`);
    const sc = s['dist.scaling'] as DistScaling[];
    assert.deepEqual(sc.map((x) => x.target), ['lr', 'batch', 'lr']);
  });

  it('names the flag a scaling waits for when a default run skips its branch, and no flag where the run takes it', () => {
    const s = signals(`
parser.add_argument("--scale_lr", action="store_true", help="Scale the learning rate by the number of GPUs (default: off).")
parser.add_argument(
    "--no-batch-scaling", dest="scale_batch", action="store_false",
)
parser.add_argument("--warmup", action="store_true", default=True)
args = parser.parse_args()
if args.scale_lr:
    args.learning_rate = args.learning_rate * accelerator.num_processes
if not args.scale_lr:
    lr = base_lr * world_size
else:
    base_lr = 0.1 * world_size
if args.scale_batch:
    total_batch_size = args.batch_size * world_size
else:
    if rank == 0:
        global_batch = args.batch_size * world_size
if self.cfg.warmup:
    max_lr = peak_lr * world_size
`);
    const sc = s['dist.scaling'] as DistScaling[];
    // store_true without a default: the branch runs only with --scale_lr, its else by default;
    // store_false: the branch runs by default, its else (through an inner if) only with the flag;
    // store_true with default=True runs by default.
    assert.deepEqual(
      sc.map((x) => [x.text, x.optIn]),
      [
        ['args.learning_rate * accelerator.num_processes', '--scale_lr'],
        ['base_lr * world_size', undefined],
        ['0.1 * world_size', '--scale_lr'],
        ['args.batch_size * world_size', undefined],
        ['args.batch_size * world_size', '--no-batch-scaling'],
        ['peak_lr * world_size', undefined],
      ],
    );
  });

  it('marks per-tensor all_reduce loops and finds tensor/pipeline parallel layers', () => {
    const s = signals(`
for p in model.parameters():
    dist.all_reduce(p.grad)
# A flat buffer of gradients, all-reduced once: bucketed by hand.
flat = torch.cat([p.grad.flatten() for p in params])
dist.all_reduce(flat)
self.fc1 = ColumnParallelLinear(h, 4 * h, gather_output=False)
self.fc2 = RowParallelLinear(4 * h, h, input_is_parallel=True)
model = Pipe(seq, chunks=8)
`);
    const sync = s['dist.sync'] as DistSync[];
    assert.deepEqual(sync.map((x) => [x.perTensor, x.onGradients]), [[true, true], [false, true]]);
    assert.equal((s['dist.tensorParallel'] as DistSite[]).length, 2);
    assert.equal((s['dist.pipeline'] as DistSite[])[0].microBatches, 8);
  });

  it('writes nothing for single-GPU code', () => {
    assert.deepEqual(signals('import torch\nx = torch.randn(3, 4)\ny = x @ x.T\n'), {});
  });
});
