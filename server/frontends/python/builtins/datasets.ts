/**
 * Datasets and data loaders as training scripts use them (`DataLoader(CIFAR10(...), batch_size=128)`,
 * `for inputs, targets in trainloader`): the batch a loop body gets, and how many batches an
 * epoch has. The standard torchvision datasets have known sample shapes and sizes; a transform's
 * crop gives an image folder's sample shape. A loader over a dataset of unknown size is iterated
 * once, and the figures say so (docs/whole-program.md, never a silent number).
 */
import { Poly } from '../../../core/symbolic';
import { UNKNOWN, Value, asDim, int, tensor } from '../values';
import { elementwise } from '../../../core/ops/elementwise';
import { moduleValue } from './modules';
import { defineFunction } from './registry';

/** How a dataset is represented: its sample (a tuple of values) and its length when known. */
const SAMPLE = '__sample__';
const LENGTH = '__len__';
const CROP = '__crop__';
/** The side a square image has after the pipeline (a `Resize(n)` of a square is n × n). */
const SQUARE = '__square__';

function dataset(sample: Value[], length: number | Poly | undefined): Value {
  const entries = new Map<string, Value>([[SAMPLE, { kind: 'tuple', items: sample }]]);
  if (length !== undefined) entries.set(LENGTH, int(length));
  return { kind: 'dict', entries };
}

const image = (c: number, h: number | Poly, w: number | Poly): Value => tensor({ shape: [Poly.const(c), typeof h === 'number' ? Poly.const(h) : h, typeof w === 'number' ? Poly.const(w) : w], dtype: 'fp32' });
const label = (): Value => int(0);

/** torchvision's datasets: channels, side, train and test sizes. */
const KNOWN: Record<string, { c: number; side: number; train: number; test: number }> = {
  CIFAR10: { c: 3, side: 32, train: 50_000, test: 10_000 },
  CIFAR100: { c: 3, side: 32, train: 50_000, test: 10_000 },
  MNIST: { c: 1, side: 28, train: 60_000, test: 10_000 },
  FashionMNIST: { c: 1, side: 28, train: 60_000, test: 10_000 },
  KMNIST: { c: 1, side: 28, train: 60_000, test: 10_000 },
  SVHN: { c: 3, side: 32, train: 73_257, test: 26_032 },
  STL10: { c: 3, side: 96, train: 5_000, test: 8_000 },
};

for (const [name, d] of Object.entries(KNOWN)) {
  defineFunction([`torchvision.datasets.${name}`, `torchvision.datasets.${name.toLowerCase()}.${name}`], (args, kw) => {
    const train = kw.get('train');
    const split = kw.get('split');
    const test = (train?.kind === 'bool' && train.value === false) || (split?.kind === 'str' && split.value === 'test');
    const known = !(train?.kind === 'bool' && train.value === null);
    // These images are square: `Resize(32)` of MNIST is 32 × 32 (PyTorch-GAN's BEGAN).
    const side = squareOf(kw.get('transform')) ?? d.side;
    return dataset([image(d.c, side, side), label()], known ? (test ? d.test : d.train) : undefined);
  });
}

// An image folder: the sample's side is the transform's crop; the number of images is the disk's.
defineFunction(['torchvision.datasets.ImageFolder', 'torchvision.datasets.ImageNet'], (args, kw) => {
  const crop = cropOf(kw.get('transform') ?? args[1]);
  return dataset([crop ? image(3, crop, crop) : tensor({ shape: null, dtype: 'fp32' }), label()], undefined);
});

// `TensorDataset(x, y)`: rows of the tensors.
defineFunction(['torch.utils.data.TensorDataset'], (args) => {
  const first = args[0]?.kind === 'tensor' ? args[0].type.shape?.[0] : undefined;
  return dataset(
    args.map((a) => (a.kind === 'tensor' && a.type.shape ? tensor({ shape: a.type.shape.slice(1), dtype: a.type.dtype }) : UNKNOWN)),
    first,
  );
});

/** A transform pipeline's output side: the last crop or resize to one int (`RandomResizedCrop(224)`). */
function cropOf(v: Value | undefined): number | undefined {
  if (v?.kind !== 'dict') return undefined;
  const c = v.entries.get(CROP);
  return c ? asDim(c)?.constValue() : undefined;
}

/** The side of a square image after the pipeline: its last crop or resize of any kind. */
function squareOf(v: Value | undefined): number | undefined {
  if (v?.kind !== 'dict') return undefined;
  const c = v.entries.get(SQUARE);
  return c ? asDim(c)?.constValue() : undefined;
}

const CROPS = ['RandomResizedCrop', 'CenterCrop', 'RandomCrop', 'Resize'];
for (const t of CROPS) {
  defineFunction([`torchvision.transforms.${t}`, `torchvision.transforms.v2.${t}`], (args, kw) => {
    const size = args[0] ?? kw.get('size');
    const n = asDim(size)?.constValue() ?? (size?.kind === 'tuple' && size.items.length === 2 ? asDim(size.items[0])?.constValue() : undefined);
    // `Resize(256)` resizes the short side only: the crop after it decides the shape, unless the
    // image is square.
    const entries = new Map<string, Value>(n !== undefined && (t !== 'Resize' || size?.kind === 'tuple') ? [[CROP, int(n)]] : []);
    if (n !== undefined) entries.set(SQUARE, int(n));
    return { kind: 'dict', entries };
  });
}
/**
 * timm's `Mixup(mixup_alpha=0.8, num_classes=1000)` (ConvNeXt's and DeiT's training loops):
 * `samples, targets = mixup_fn(samples, targets)` blends each batch with itself flipped,
 * `x·λ + flip(x)·(1 − λ)`, 3 FLOPs an element, and gives the targets as mixed one-hot rows
 * (B, num_classes). It was an unknown callee, and the model after it lost its input's shape.
 */
defineFunction(['timm.data.Mixup', 'timm.data.mixup.Mixup'], (args, kw, _site, ctx) => {
  const classes = asDim(kw.get('num_classes') ?? args[8]) ?? Poly.const(1000);
  return moduleValue('Mixup', Poly.ZERO, ctx, (x, _a, _k, site, c) => {
    const mixed = c.record(elementwise([x], c.opContext(x.dtype), { flopsPerElement: 3, kind: 'elementwise', note: 'mixup: x·λ + flip(x)·(1 − λ), 3 FLOP/element' }), site, [x]);
    const batch = x.shape?.[0];
    return { kind: 'tuple', items: [mixed, tensor({ shape: batch ? [batch, classes] : null, dtype: x.dtype })] };
  });
});

/**
 * timm's `create_transform(input_size=224, is_training=...)` (ConvNeXt's, DeiT's `build_transform`):
 * training crops at random to the size, evaluation resizes then centre-crops to it; either way the
 * image is `input_size` square. `input_size` is an int or timm's `(3, H, W)`.
 */
defineFunction(['timm.data.create_transform', 'timm.data.transforms_factory.create_transform'], (args, kw) => {
  const size = args[0] ?? kw.get('input_size');
  const n = asDim(size)?.constValue() ?? (size?.kind === 'tuple' && size.items.length === 3 ? asDim(size.items[1])?.constValue() : undefined);
  return { kind: 'dict', entries: new Map<string, Value>(n !== undefined ? [[CROP, int(n)], [SQUARE, int(n)]] : []) };
});
defineFunction(['torchvision.transforms.Compose', 'torchvision.transforms.v2.Compose'], (args) => {
  const list = args[0];
  let crop: Value | undefined;
  let square: Value | undefined;
  if (list?.kind === 'tuple') {
    for (const t of list.items) {
      if (t.kind === 'dict' && t.entries.has(CROP)) crop = t.entries.get(CROP);
      if (t.kind === 'dict' && t.entries.has(SQUARE)) square = t.entries.get(SQUARE);
    }
  }
  const entries = new Map<string, Value>(crop ? [[CROP, crop]] : []);
  if (square) entries.set(SQUARE, square);
  return { kind: 'dict', entries };
});

/**
 * `DataLoader(dataset, batch_size=B)`: a list of one batch repeated once per batch of the epoch
 * (`ceil(len / B)`, `floor` with `drop_last`), so `for x, y in loader` multiplies its body by it.
 */
defineFunction(['torch.utils.data.DataLoader', 'torch.utils.data.dataloader.DataLoader'], (args, kw) => {
  const ds = args[0] ?? kw.get('dataset');
  const given = kw.get('batch_size') ?? args[1];
  // A batch size the engine cannot read (`args.batch_size` of an unknown parser) is a dim the
  // user can bind, named as the keyword is.
  const b = given ? asDim(given) ?? Poly.sym('batch_size') : Poly.ONE;
  const sample = ds?.kind === 'dict' ? ds.entries.get(SAMPLE) : undefined;
  if (!b || sample?.kind !== 'tuple') return UNKNOWN;
  const batch: Value = {
    kind: 'tuple',
    items: sample.items.map((x) => (x.kind === 'tensor' && x.type.shape ? tensor({ shape: [b, ...x.type.shape], dtype: x.type.dtype }) : x.kind === 'int' ? tensor({ shape: [b], dtype: 'int64' }) : x)),
  };
  const n = ds?.kind === 'dict' ? asDim(ds.entries.get(LENGTH)) : undefined;
  const dropLast = kw.get('drop_last');
  const drop = dropLast?.kind === 'bool' && dropLast.value;
  // Known sizes: the last, smaller batch counts as the fraction of a batch it is, so an epoch is
  // exactly its samples (60,000 MNIST images, not 938 full batches of 64).
  const nc = n?.constValue();
  const bc = b.constValue();
  const trips = n ? (drop ? n.floordiv(b) : nc !== undefined && bc !== undefined && bc > 0 ? Poly.const(nc / bc) : n.ceildiv(b)) : undefined;
  return { kind: 'tuple', list: true, items: [batch], repeat: trips ?? Poly.ONE, ...(trips ? {} : { unknownTrips: 'the data loader’s number of batches (its dataset’s size is not known)' }) };
});
