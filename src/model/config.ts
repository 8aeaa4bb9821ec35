// The Qwen2-family decoder configuration, read from and written to a Hugging Face `config.json`. One definition
// drives the tfjs (training) and ONNX (generation) realisations, so real checkpoints and tiny ones share a path.
import {z} from 'zod'
import {UsageError} from '../core/errors.js'

export const SUPPORTED_ARCHITECTURES = ['Qwen2ForCausalLM'] as const
export const SUPPORTED_MODEL_TYPES = ['qwen2'] as const

const HfConfigSchema = z.looseObject({
  architectures: z.array(z.string()).optional(),
  model_type: z.string(),
  vocab_size: z.int().positive(),
  hidden_size: z.int().positive(),
  intermediate_size: z.int().positive(),
  num_hidden_layers: z.int().positive(),
  num_attention_heads: z.int().positive(),
  num_key_value_heads: z.int().positive().optional(),
  head_dim: z.int().positive().optional(),
  max_position_embeddings: z.int().positive(),
  rms_norm_eps: z.number().positive().default(1e-6),
  rope_theta: z.number().positive().default(10000),
  tie_word_embeddings: z.boolean().default(false),
  hidden_act: z.string().default('silu'),
  bos_token_id: z.int().nullable().optional(),
  eos_token_id: z.union([z.int(), z.array(z.int())]).nullable().optional(),
  torch_dtype: z.string().optional(),
  attention_bias: z.boolean().optional(),
})

export interface ModelConfig {
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
  /** Qwen2 has biases on q/k/v projections only. */
  qkvBias: boolean
  bosTokenId: number | null
  eosTokenIds: number[]
  /** The config.json as read (kept so export writes back what it did not interpret). */
  raw: Record<string, unknown>
}

export function parseModelConfig(json: unknown, where = 'config.json'): ModelConfig {
  const result = HfConfigSchema.safeParse(json)
  if (!result.success) {
    const issue = result.error.issues[0]
    throw new UsageError(`${where}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`, {code: 'model-config', fix: 'Pass a Hugging Face Qwen2 config.json.'})
  }
  const c = result.data
  const arch = c.architectures?.[0]
  if (!(SUPPORTED_MODEL_TYPES as readonly string[]).includes(c.model_type) || (arch && !(SUPPORTED_ARCHITECTURES as readonly string[]).includes(arch))) {
    throw new UsageError(`${where}: unsupported architecture ${arch ?? c.model_type} (model_type ${JSON.stringify(c.model_type)})`, {
      code: 'model-architecture',
      fix: `ars runs the Qwen2 family (${SUPPORTED_ARCHITECTURES.join(', ')}), e.g. Qwen2.5-0.5B/1.5B-Instruct.`,
    })
  }
  if (c.hidden_act !== 'silu') throw new UsageError(`${where}: hidden_act ${JSON.stringify(c.hidden_act)} is not supported (expected "silu")`, {code: 'model-config'})
  const numKvHeads = c.num_key_value_heads ?? c.num_attention_heads
  if (c.num_attention_heads % numKvHeads !== 0) {
    throw new UsageError(`${where}: num_attention_heads ${c.num_attention_heads} is not a multiple of num_key_value_heads ${numKvHeads}`, {code: 'model-config'})
  }
  const headDim = c.head_dim ?? c.hidden_size / c.num_attention_heads
  if (!Number.isInteger(headDim)) throw new UsageError(`${where}: hidden_size ${c.hidden_size} is not divisible by num_attention_heads ${c.num_attention_heads}`, {code: 'model-config'})
  const eos = c.eos_token_id == null ? [] : Array.isArray(c.eos_token_id) ? c.eos_token_id : [c.eos_token_id]
  return {
    vocabSize: c.vocab_size,
    hiddenSize: c.hidden_size,
    intermediateSize: c.intermediate_size,
    numLayers: c.num_hidden_layers,
    numHeads: c.num_attention_heads,
    numKvHeads,
    headDim,
    maxPositions: c.max_position_embeddings,
    rmsNormEps: c.rms_norm_eps,
    ropeTheta: c.rope_theta,
    tieWordEmbeddings: c.tie_word_embeddings,
    qkvBias: c.attention_bias ?? true,
    bosTokenId: c.bos_token_id ?? null,
    eosTokenIds: eos,
    raw: json as Record<string, unknown>,
  }
}

/** The Hugging Face config.json for a config (round-trips parseModelConfig). */
export function toHfConfig(config: ModelConfig): Record<string, unknown> {
  return {
    ...config.raw,
    architectures: ['Qwen2ForCausalLM'],
    model_type: 'qwen2',
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
    tie_word_embeddings: config.tieWordEmbeddings,
    hidden_act: 'silu',
    bos_token_id: config.bosTokenId,
    eos_token_id: config.eosTokenIds.length === 1 ? config.eosTokenIds[0] : config.eosTokenIds,
    torch_dtype: 'float32',
    use_cache: true,
  }
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

export function presetConfig(name: PresetName, vocabSize: number, eosTokenId: number, bosTokenId: number | null = null): ModelConfig {
  const p = PRESETS[name]
  return parseModelConfig({
    architectures: ['Qwen2ForCausalLM'],
    model_type: 'qwen2',
    vocab_size: vocabSize,
    ...p,
    rms_norm_eps: 1e-6,
    rope_theta: 10000,
    tie_word_embeddings: true,
    hidden_act: 'silu',
    bos_token_id: bosTokenId,
    eos_token_id: eosTokenId,
  }, `preset ${name}`)
}

/** A named fp32 tensor with its Hugging Face name (`model.layers.0.self_attn.q_proj.weight`). */
export interface NamedTensor {
  name: string
  shape: number[]
  data: Float32Array
}

/** Weights by Hugging Face tensor name; the interchange format between safetensors, tfjs and ONNX. */
export type Weights = Map<string, NamedTensor>

/** The tensor names a Qwen2 checkpoint must contain for a config. */
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
    names.push(`${p}.self_attn.o_proj.weight`, `${p}.mlp.gate_proj.weight`, `${p}.mlp.up_proj.weight`, `${p}.mlp.down_proj.weight`)
  }
  return names
}

/** Expected shape of each tensor (Hugging Face/PyTorch layout: Linear weight is [out, in]). */
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
