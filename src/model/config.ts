// The Qwen2-family decoder configuration, read from and written to a Hugging Face `config.json`. One definition
// drives the tfjs (training) and ONNX (generation) realisations, so real checkpoints and tiny ones share a path.
import {z} from 'zod'
import {UsageError} from '../core/index.js'

export const SUPPORTED_ARCHITECTURES = ['Qwen2ForCausalLM', 'Qwen3ForCausalLM'] as const
export const SUPPORTED_MODEL_TYPES = ['qwen2', 'qwen3'] as const
export type ModelType = (typeof SUPPORTED_MODEL_TYPES)[number]
const ARCHITECTURE_OF: Record<ModelType, string> = {qwen2: 'Qwen2ForCausalLM', qwen3: 'Qwen3ForCausalLM'}

// Both layouts transformers writes: ≤ 4.x (`rope_theta`, `rope_scaling`, `torch_dtype`) and ≥ 5 (`rope_parameters:
// {rope_theta, rope_type}`, `dtype`, `layer_types`). Fields that change the math are checked in parseModelConfig.
const HfConfigSchema = z.looseObject({
  architectures: z.array(z.string()).optional(),
  model_type: z.string(),
  vocab_size: z.int().positive(),
  hidden_size: z.int().positive(),
  intermediate_size: z.int().positive(),
  num_hidden_layers: z.int().positive(),
  num_attention_heads: z.int().positive(),
  num_key_value_heads: z.int().positive().nullable().optional(),
  head_dim: z.int().positive().nullable().optional(),
  max_position_embeddings: z.int().positive(),
  rms_norm_eps: z.number().positive().default(1e-6),
  rope_theta: z.number().positive().optional(),
  rope_parameters: z.looseObject({rope_theta: z.number().positive().optional(), rope_type: z.string().optional(), type: z.string().optional()}).nullable().optional(),
  rope_scaling: z.looseObject({rope_type: z.string().optional(), type: z.string().optional()}).nullable().optional(),
  partial_rotary_factor: z.number().nullable().optional(),
  tie_word_embeddings: z.boolean().default(false),
  hidden_act: z.string().default('silu'),
  bos_token_id: z.int().nullable().optional(),
  eos_token_id: z.union([z.int(), z.array(z.int())]).nullable().optional(),
  torch_dtype: z.string().nullable().optional(),
  dtype: z.string().nullable().optional(),
  attention_bias: z.boolean().optional(),
  use_sliding_window: z.boolean().nullable().optional(),
  sliding_window: z.int().nullable().optional(),
  max_window_layers: z.int().nullable().optional(),
  layer_types: z.array(z.string()).nullable().optional(),
  quantization_config: z.unknown().optional(),
})

export interface ModelConfig {
  /** `qwen2` or `qwen3` (Qwen3: per-head q/k RMSNorm before RoPE, no q/k/v biases by default). */
  modelType: ModelType
  vocabSize: number
  hiddenSize: number
  intermediateSize: number
  numLayers: number
  numHeads: number
  numKvHeads: number
  headDim: number
  maxPositions: number
  rmsNormEps: number
  ropeTheta: number
  tieWordEmbeddings: boolean
  /** Biases on the q/k/v projections (Qwen2: yes; Qwen3: `attention_bias`, default no). */
  qkvBias: boolean
  /** Qwen3: RMSNorm over each head's head_dim of q and k (weights `self_attn.q_norm`/`k_norm`), before RoPE. */
  qkNorm: boolean
  bosTokenId: number | null
  eosTokenIds: number[]
  /** The stored dtype config.json declares (`dtype`, or `torch_dtype` before transformers 5), if any. */
  dtype: string | undefined
  /** The config.json as read (kept so export writes back what it did not interpret). */
  raw: Record<string, unknown>
}

function configError(where: string, field: string, message: string, fix: string): UsageError {
  return new UsageError(`${where}: ${field}: ${message}`, {code: 'model-config', fix})
}

/** The one RoPE type ars implements; anything else in either layout is refused by name. */
function checkRope(c: z.infer<typeof HfConfigSchema>, where: string): number {
  const fix = 'ars implements the default RoPE only (what Qwen2.5/Qwen3 ship with). Remove the scaling entry to run the model at its original context, or use a runtime that implements it (transformers, vLLM).'
  const params = c.rope_parameters ?? undefined
  const paramsType = params?.rope_type ?? params?.type
  if (paramsType !== undefined && paramsType !== 'default') throw configError(where, 'rope_parameters.rope_type', `${JSON.stringify(paramsType)} is not supported`, fix)
  const scaling = c.rope_scaling ?? undefined
  if (scaling) {
    const scalingType = scaling.rope_type ?? scaling.type
    if (scalingType !== 'default') throw configError(where, 'rope_scaling', `${JSON.stringify(scalingType ?? scaling)} is not supported`, fix)
  }
  for (const [field, value] of [['partial_rotary_factor', c.partial_rotary_factor], ['rope_parameters.partial_rotary_factor', params?.partial_rotary_factor]] as const) {
    if (value != null && value !== 1) throw configError(where, field, `${JSON.stringify(value)} is not supported (ars rotates the whole head)`, 'Use a model with full-head RoPE (partial_rotary_factor 1).')
  }
  if (params && 'mrope_section' in params) throw configError(where, 'rope_parameters.mrope_section', 'multimodal RoPE is not supported', 'Use the text-only model (Qwen2/Qwen3 ForCausalLM).')
  const top = c.rope_theta
  const nested = params?.rope_theta
  if (top !== undefined && nested !== undefined && top !== nested) {
    throw configError(where, 'rope_theta', `${top} disagrees with rope_parameters.rope_theta ${nested}`, 'Keep one value (transformers ≥ 5 reads rope_parameters.rope_theta; older versions read rope_theta).')
  }
  return nested ?? top ?? 10000
}

/**
 * Sliding-window attention as transformers applies it: the window is `sliding_window` when `use_sliding_window`
 * is true (transformers ≥ 5 nulls it otherwise), on the layers `layer_types` marks "sliding_attention" or, without
 * layer_types, on layers ≥ `max_window_layers`. A window at least as long as the context never masks anything;
 * a shorter one changes every long sequence's outputs, and ars does not implement it.
 */
function checkSlidingWindow(c: z.infer<typeof HfConfigSchema>, where: string): void {
  const layers = c.num_hidden_layers
  if (c.layer_types != null) {
    if (c.layer_types.length !== layers) throw configError(where, 'layer_types', `has ${c.layer_types.length} entries for num_hidden_layers ${layers}`, 'Give one entry per layer.')
    const bad = c.layer_types.findIndex((t) => t !== 'full_attention' && t !== 'sliding_attention')
    if (bad >= 0) throw configError(where, `layer_types[${bad}]`, `${JSON.stringify(c.layer_types[bad])} is not supported`, 'ars runs "full_attention" layers (and "sliding_attention" ones whose window covers the context).')
  }
  const window = c.use_sliding_window ? (c.sliding_window ?? null) : null
  if (window === null) {
    // transformers ≥ 5 nulls the window unless use_sliding_window: the layer types alone change nothing.
    return
  }
  const windowed = c.layer_types != null
    ? c.layer_types.flatMap((t, i) => (t === 'sliding_attention' ? [i] : []))
    : Array.from({length: layers}, (_, i) => i).filter((i) => i >= (c.max_window_layers ?? 28))
  if (windowed.length > 0 && window < c.max_position_embeddings) {
    throw configError(where, 'use_sliding_window', `true with sliding_window ${window} < max_position_embeddings ${c.max_position_embeddings} on layers ${windowed.join(', ')}: sliding-window attention is not supported`, 'Set "use_sliding_window": false if the model was trained with full attention (all released Qwen2.5/Qwen3 models were), or set max_position_embeddings to at most sliding_window.')
  }
}

export function parseModelConfig(json: unknown, where = 'config.json'): ModelConfig {
  const result = HfConfigSchema.safeParse(json)
  if (!result.success) {
    const issue = result.error.issues[0]
    throw new UsageError(`${where}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`, {code: 'model-config', fix: 'Pass a Hugging Face Qwen2/Qwen3 config.json.'})
  }
  const c = result.data
  const arch = c.architectures?.[0]
  const modelType = c.model_type as ModelType
  if (!(SUPPORTED_MODEL_TYPES as readonly string[]).includes(c.model_type) || (arch && arch !== ARCHITECTURE_OF[modelType])) {
    throw new UsageError(`${where}: unsupported architecture ${arch ?? c.model_type} (model_type ${JSON.stringify(c.model_type)})`, {
      code: 'model-architecture',
      fix: `ars runs the Qwen2 and Qwen3 dense families (${SUPPORTED_ARCHITECTURES.join(', ')}), e.g. Qwen2.5-0.5B/1.5B-Instruct, Qwen3-0.6B.`,
    })
  }
  // ACT2FN maps both names to SiLU.
  if (c.hidden_act !== 'silu' && c.hidden_act !== 'swish') throw configError(where, 'hidden_act', `${JSON.stringify(c.hidden_act)} is not supported (ars implements SwiGLU with "silu")`, 'Use a Qwen2/Qwen3 checkpoint (hidden_act "silu").')
  if (c.quantization_config != null) throw configError(where, 'quantization_config', 'quantized checkpoints are not supported', 'Use the unquantized (bf16/fp16/fp32) checkpoint.')
  const ropeTheta = checkRope(c, where)
  checkSlidingWindow(c, where)
  const numKvHeads = c.num_key_value_heads ?? c.num_attention_heads
  if (c.num_attention_heads % numKvHeads !== 0) {
    throw new UsageError(`${where}: num_attention_heads ${c.num_attention_heads} is not a multiple of num_key_value_heads ${numKvHeads}`, {code: 'model-config'})
  }
  // transformers: Qwen3Config defaults head_dim to 128; Qwen2 uses hidden_size / heads unless head_dim is given.
  const headDim = c.head_dim ?? (modelType === 'qwen3' ? 128 : c.hidden_size / c.num_attention_heads)
  if (!Number.isInteger(headDim)) throw new UsageError(`${where}: hidden_size ${c.hidden_size} is not divisible by num_attention_heads ${c.num_attention_heads}`, {code: 'model-config'})
  if (headDim % 2 !== 0) throw configError(where, 'head_dim', `${headDim} is odd (RoPE rotates halves)`, 'Use an even head_dim.')
  if (modelType === 'qwen3' && c.attention_bias === true) {
    throw configError(where, 'attention_bias', 'true on a Qwen3 model (biases on q/k/v and o_proj) is not supported', 'Use a Qwen3 checkpoint without attention biases (all released ones).')
  }
  const eos = c.eos_token_id == null ? [] : Array.isArray(c.eos_token_id) ? c.eos_token_id : [c.eos_token_id]
  return {
    modelType,
    vocabSize: c.vocab_size,
    hiddenSize: c.hidden_size,
    intermediateSize: c.intermediate_size,
    numLayers: c.num_hidden_layers,
    numHeads: c.num_attention_heads,
    numKvHeads,
    headDim,
    maxPositions: c.max_position_embeddings,
    rmsNormEps: c.rms_norm_eps,
    ropeTheta,
    tieWordEmbeddings: c.tie_word_embeddings,
    // HF Qwen2 always builds q/k/v biases; a checkpoint without them (attention_bias false, ars's own) loads as zeros.
    qkvBias: modelType === 'qwen3' ? false : (c.attention_bias ?? true),
    qkNorm: modelType === 'qwen3',
    bosTokenId: c.bos_token_id ?? null,
    eosTokenIds: eos,
    dtype: c.dtype ?? c.torch_dtype ?? undefined,
    raw: json as Record<string, unknown>,
  }
}

/**
 * The Hugging Face config.json for a config (round-trips parseModelConfig). It states RoPE both ways (top-level
 * `rope_theta` for transformers ≤ 4, `rope_parameters` for ≥ 5) and the dtype both ways, so either reads it right.
 */
export function toHfConfig(config: ModelConfig): Record<string, unknown> {
  const {rope_scaling: _scaling, ...raw} = config.raw
  const hf: Record<string, unknown> = {
    ...raw,
    architectures: [ARCHITECTURE_OF[config.modelType]],
    model_type: config.modelType,
    vocab_size: config.vocabSize,
    hidden_size: config.hiddenSize,
    intermediate_size: config.intermediateSize,
    num_hidden_layers: config.numLayers,
    num_attention_heads: config.numHeads,
    num_key_value_heads: config.numKvHeads,
    head_dim: config.headDim,
    max_position_embeddings: config.maxPositions,
    rms_norm_eps: config.rmsNormEps,
    rope_theta: config.ropeTheta,
    rope_parameters: {rope_theta: config.ropeTheta, rope_type: 'default'},
    tie_word_embeddings: config.tieWordEmbeddings,
    hidden_act: 'silu',
    bos_token_id: config.bosTokenId,
    eos_token_id: config.eosTokenIds.length === 1 ? config.eosTokenIds[0] : config.eosTokenIds,
    torch_dtype: 'float32',
    dtype: 'float32',
    use_cache: true,
  }
  if (config.modelType === 'qwen3') hf.attention_bias = false
  return hf
}

/** Named size presets for models made here. `tiny` trains in minutes on 2 CPU cores. */
export const PRESETS = {
  tiny: {hidden_size: 64, intermediate_size: 176, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 2048},
  // The searching policy (datasets/policy-search): ~0.8M parameters, compact-format episodes of a few hundred tokens.
  mini: {hidden_size: 128, intermediate_size: 352, num_hidden_layers: 3, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 1024},
  small: {hidden_size: 256, intermediate_size: 704, num_hidden_layers: 4, num_attention_heads: 8, num_key_value_heads: 2, max_position_embeddings: 4096},
  // ~100M parameters with a 32k vocabulary: the bench's "large" point.
  base: {hidden_size: 768, intermediate_size: 2048, num_hidden_layers: 8, num_attention_heads: 12, num_key_value_heads: 4, max_position_embeddings: 4096},
} as const

export type PresetName = keyof typeof PRESETS

export function presetConfig(name: PresetName, vocabSize: number, eosTokenId: number, bosTokenId: number | null = null, modelType: ModelType = 'qwen2'): ModelConfig {
  const p = PRESETS[name]
  return parseModelConfig({
    architectures: [ARCHITECTURE_OF[modelType]],
    model_type: modelType,
    vocab_size: vocabSize,
    ...p,
    rms_norm_eps: 1e-6,
    rope_theta: 10000,
    tie_word_embeddings: true,
    hidden_act: 'silu',
    bos_token_id: bosTokenId,
    eos_token_id: eosTokenId,
    // Qwen3Config would default head_dim to 128: state the preset's.
    ...(modelType === 'qwen3' ? {head_dim: p.hidden_size / p.num_attention_heads, attention_bias: false} : {}),
  }, `preset ${name}`)
}

/** A named fp32 tensor with its Hugging Face name (`model.layers.0.self_attn.q_proj.weight`). */
export interface NamedTensor {
  name: string
  shape: number[]
  data: Float32Array
}

/**
 * A tensor whose `data` is a getter that reads it from disk on every use (`loadWeights(…, {lazy: true})`): its
 * shape and byte length were checked against the file's header, so validation need not read it.
 */
export function isLazyTensor(tensor: NamedTensor): boolean {
  return typeof Object.getOwnPropertyDescriptor(tensor, 'data')?.get === 'function'
}

/** Weights by Hugging Face tensor name; the interchange format between safetensors, tfjs and ONNX. */
export type Weights = Map<string, NamedTensor>

/** The tensor names a Qwen2/Qwen3 checkpoint must contain for a config. */
export function expectedTensorNames(config: ModelConfig): string[] {
  const names = ['model.embed_tokens.weight', 'model.norm.weight']
  if (!config.tieWordEmbeddings) names.push('lm_head.weight')
  for (let i = 0; i < config.numLayers; i++) {
    const p = `model.layers.${i}`
    names.push(`${p}.input_layernorm.weight`, `${p}.post_attention_layernorm.weight`)
    for (const proj of ['q_proj', 'k_proj', 'v_proj']) {
      names.push(`${p}.self_attn.${proj}.weight`)
      if (config.qkvBias) names.push(`${p}.self_attn.${proj}.bias`)
    }
    if (config.qkNorm) names.push(`${p}.self_attn.q_norm.weight`, `${p}.self_attn.k_norm.weight`)
    names.push(`${p}.self_attn.o_proj.weight`, `${p}.mlp.gate_proj.weight`, `${p}.mlp.up_proj.weight`, `${p}.mlp.down_proj.weight`)
  }
  return names
}

/** Expected shape of each tensor (Hugging Face/PyTorch layout: Linear weight is [out, in]). */
/** A named weight, checked against the shape `config` expects (RangeError naming the tensor otherwise). */
export function checkedWeight(config: ModelConfig, weights: Weights, name: string): NamedTensor {
  const t = weights.get(name)
  if (!t) throw new RangeError(`Missing weight ${name}`)
  const want = expectedShape(config, name)
  if (want && (want.length !== t.shape.length || want.some((d, i) => d !== t.shape[i]))) throw new RangeError(`Weight ${name}: expected shape [${want}], got [${t.shape}]`)
  return t
}

export function expectedShape(config: ModelConfig, name: string): number[] | undefined {
  const h = config.hiddenSize
  const q = config.numHeads * config.headDim
  const kv = config.numKvHeads * config.headDim
  const m = /^model\.layers\.\d+\.(.+)$/.exec(name)
  const local = m ? m[1] : name
  switch (local) {
    case 'model.embed_tokens.weight':
    case 'lm_head.weight':
      return [config.vocabSize, h]
    case 'model.norm.weight':
    case 'input_layernorm.weight':
    case 'post_attention_layernorm.weight':
      return [h]
    case 'self_attn.q_norm.weight':
    case 'self_attn.k_norm.weight':
      return [config.headDim]
    case 'self_attn.q_proj.weight':
      return [q, h]
    case 'self_attn.q_proj.bias':
      return [q]
    case 'self_attn.k_proj.weight':
    case 'self_attn.v_proj.weight':
      return [kv, h]
    case 'self_attn.k_proj.bias':
    case 'self_attn.v_proj.bias':
      return [kv]
    case 'self_attn.o_proj.weight':
      return [h, q]
    case 'mlp.gate_proj.weight':
    case 'mlp.up_proj.weight':
      return [config.intermediateSize, h]
    case 'mlp.down_proj.weight':
      return [h, config.intermediateSize]
    default:
      return undefined
  }
}
