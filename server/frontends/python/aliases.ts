/**
 * Third-party names that are torch ops in disguise. Real model code reaches the same GEMMs
 * through wrappers: fairscale's tensor-parallel layers in Meta's LLaMA, `fancy_einsum` in
 * TransformerLens, config containers such as yacs' / minGPT's `CfgNode`. The interpreter maps
 * them here, before the op table is consulted, so the op handlers keep one canonical name each.
 */
import { Value, int } from './values';

/**
 * Wrapper → canonical torch name. Tensor-parallel layers count as the full layer: the engine
 * reports what one replica of the model computes, as PyTorch's FlopCounterMode does with a
 * model-parallel size of 1.
 */
export const CALL_ALIASES: Record<string, string> = {
  'fairscale.nn.model_parallel.layers.ColumnParallelLinear': 'torch.nn.Linear',
  'fairscale.nn.model_parallel.layers.RowParallelLinear': 'torch.nn.Linear',
  'fairscale.nn.model_parallel.layers.ParallelEmbedding': 'torch.nn.Embedding',
  'fairscale.nn.model_parallel.layers.VocabParallelEmbedding': 'torch.nn.Embedding',
  // TransformerLens' hook points are identities that interpretability code can tap.
  'transformer_lens.hook_points.HookPoint': 'torch.nn.Identity',
  // TransformerLens' activation helpers are GELU approximations.
  'transformer_lens.utils.gelu_new': 'torch.nn.functional.gelu',
  'transformer_lens.utils.gelu_fast': 'torch.nn.functional.gelu',
};

/** Calls whose value is a constant of the single-replica view above. */
/** A clock reading: a float nobody knows before the run (never a tensor). */
const clock = (): Value => ({ kind: 'float', value: null });

export const CALL_CONSTANTS: Record<string, () => Value> = {
  'fairscale.nn.model_parallel.initialize.get_model_parallel_world_size': () => int(1),
  'fairscale.nn.model_parallel.initialize.get_model_parallel_rank': () => int(0),
  // `dt = time.time() - t0` into nanoGPT's `estimate_mfu`: plain arithmetic, not a tensor op.
  'time.time': clock,
  'time.perf_counter': clock,
  'time.monotonic': clock,
  'time.process_time': clock,
};

/**
 * `fancy_einsum.einsum("batch pos d_model, d_model d_mlp -> batch pos d_mlp", x, W)` takes the
 * named-axis equation first; einops takes it last. Returns the einops name and argument order.
 */
export function adaptCall(name: string, args: Value[]): { name: string; args: Value[] } | undefined {
  if (name === 'fancy_einsum.einsum' && args[0]?.kind === 'str') return { name: 'einops.einsum', args: [...args.slice(1), args[0]] };
  const alias = CALL_ALIASES[name];
  return alias ? { name: alias, args } : undefined;
}

/**
 * Attribute bags users build configs from (`C = CN(); C.n_layer = 12`): calling one gives an open
 * config object whose unset attributes read as dims named after them.
 */
const CONFIG_FACTORIES = /(^|\.)(CfgNode|CN|SimpleNamespace|Namespace|EasyDict|edict|AttrDict|ConfigDict|Munch|DotMap)$/;

export function isConfigFactory(name: string): boolean {
  return CONFIG_FACTORIES.test(name);
}


/**
 * Library calls that set up training rather than compute on tensors (initialisers, optimisers,
 * gradient switches, seeding, devices): no op to model, so not listed as unmodelled either.
 */
const NOT_COMPUTE = /^(numpy\.random\.seed$|torch\.utils\.tensorboard\.|torch\.Generator$|torch\.get_default_dtype$|torch\.set_default_device$|torch\.set_printoptions$|torch\.use_deterministic_algorithms$)|^torch\.(nn\.init\.|optim\.|no_grad$|enable_grad$|inference_mode$|set_grad_enabled$|manual_seed$|set_num_threads$|set_num_interop_threads$|hub\.load_state_dict_from_url$|hub\.download_url_to_file$|cuda\.(is_available|is_bf16_supported|device_count|manual_seed|manual_seed_all|synchronize|set_device|current_device|empty_cache|max_memory_allocated|memory_allocated|reset_peak_memory_stats|get_device_name|get_device_properties|get_device_capability)$|(xpu|mps)\.(is_available|device_count|get_device_properties|get_device_name|synchronize|manual_seed|manual_seed_all|empty_cache|current_device|set_device)$|device$|compile$|save$|load$|set_float32_matmul_precision$|backends\.|utils\.data\.|distributed\.(get_rank|get_world_size|is_initialized|is_available|barrier|init_process_group|destroy_process_group|get_default_backend_for_device)$|accelerator\.(is_available|current_accelerator|device_count|device_index|current_device_index|synchronize)$|nn\.utils\.clip_grad_norm_$|nn\.utils\.clip_grad_value_$)/;

/**
 * A gradient scaler (`torch.cuda.amp.GradScaler()`) and its methods: `scaler.scale(loss)` is the
 * loss it is given (so `.backward()` on it trains); stepping and updating compute nothing to model.
 */
export const GRAD_SCALER = /^torch\.(cuda\.)?amp\.GradScaler$/;
export function gradScalerMethod(name: string): 'identity' | 'none' | undefined {
  const m = /GradScaler\(\)\.(\w+)$/.exec(name);
  if (!m) return undefined;
  return m[1] === 'scale' ? 'identity' : 'none';
}

/** torchvision's image writers (PyTorch-GAN's `save_image(gen_imgs.data[:25], ...)`): output, not compute. */
const NOT_COMPUTE_VISION = /^torchvision\.utils\.(save_image|make_grid)$/;

export function isNotCompute(name: string): boolean {
  return NOT_COMPUTE.test(name) || NOT_COMPUTE_VISION.test(name);
}
