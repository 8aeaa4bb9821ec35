// Telling a generation server to load new weights from a model folder on disk (a shared file system across
// machines). Three APIs, one per server kind:
//   ars     POST {root}/v1/ars/weights {path, version}  → {version, path, load_ms}   (`ars serve model`; tested)
//   sglang  POST {root}/update_weights_from_disk {model_path, weight_version}  → {success, message}
//   vllm    POST {root}/pause?mode=wait, POST {root}/collective_rpc {method: "reload_weights"}, POST {root}/resume
//           (VLLM_SERVER_DEV_MODE=1; reloads the folder the server was started on, which ars overwrites in place)
// The SGLang and vLLM calls follow those projects' docs (see docs/scale.md) and are not run by any test here.
import {ModelBackendError} from './errors.js'

export const SERVER_KINDS = ['ars', 'sglang', 'vllm'] as const
export type ServerKind = (typeof SERVER_KINDS)[number]

/** The server's root (SGLang's and vLLM's control routes are not under /v1). */
export function serverRoot(baseUrl: string): string {
  return baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '')
}

export interface ReloadRequest {
  /** Model folder (config.json, tokenizer.json, model.safetensors) readable by the server at this path. */
  path: string
  version: number
  fetch?: typeof fetch
  /** Default 600 000 ms (large models load slowly). */
  timeoutMs?: number
}

/**
 * Loads `path` as `version` on one server; resolves once the server generates with it. Errors: code
 * `weights-unreachable` (network, 5xx: the pool takes the server out and re-syncs it later) or `weights-refused`
 * (4xx or success:false: the folder itself is wrong, which no retry fixes).
 */
export async function reloadWeights(server: {url: string; kind: ServerKind}, request: ReloadRequest): Promise<void> {
  const root = serverRoot(server.url)
  const post = (path: string, body?: unknown) => send(request.fetch ?? fetch, `${root}${path}`, body, request.timeoutMs ?? 600_000)
  switch (server.kind) {
    case 'ars':
      await post('/v1/ars/weights', {path: request.path, version: request.version})
      return
    case 'sglang': {
      const answer = await post('/update_weights_from_disk', {model_path: request.path, weight_version: String(request.version)}) as {success?: boolean; message?: string}
      if (answer?.success === false) throw new ModelBackendError('weights-refused', `${root}/update_weights_from_disk: ${answer.message ?? 'success: false'}`, 'Check that the folder is readable by the SGLang server at the same path and matches its architecture.')
      return
    }
    case 'vllm':
      await post('/pause?mode=wait')
      try {
        await post('/collective_rpc', {method: 'reload_weights'})
      } finally {
        await post('/resume')
      }
      return
  }
}

async function send(doFetch: typeof fetch, url: string, body: unknown, timeoutMs: number): Promise<unknown> {
  let response: Response
  try {
    response = await doFetch(url, {method: 'POST', headers: {'content-type': 'application/json'}, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs)})
  } catch (error) {
    const code = (error as {cause?: {code?: string}}).cause?.code
    throw new ModelBackendError('weights-unreachable', `${url}: ${code ?? (error as Error).message}`, 'Check that the server is running.', error)
  }
  const text = await response.text().catch(() => '')
  if (!response.ok) {
    let message = text.slice(0, 500)
    try {
      const j = JSON.parse(text) as {error?: {message?: string} | string; message?: string; detail?: string}
      message = (typeof j.error === 'string' ? j.error : j.error?.message) ?? j.message ?? j.detail ?? message
    } catch {
      // not JSON
    }
    if (response.status >= 500) throw new ModelBackendError('weights-unreachable', `${url}: HTTP ${response.status} ${message}`, 'Check the server log.')
    throw new ModelBackendError('weights-refused', `${url}: HTTP ${response.status} ${message}`, response.status === 404 ? 'This server has no weight-reload route: start `ars serve model`, SGLang, or vLLM with VLLM_SERVER_DEV_MODE=1, and name its kind (sglang=URL, vllm=URL).' : 'Check that the folder is readable by the server at the same path and has the served model\'s architecture.')
  }
  try {
    return text ? JSON.parse(text) : {}
  } catch {
    return {}
  }
}
