// `ars export --format onnx|hf`: a model folder out as the layout onnx-community / transformers.js repos use
// (config.json, generation_config.json, tokenizer files, onnx/model.onnx), or as a plain Hugging Face folder.
import {mkdir, writeFile} from 'node:fs/promises'
import {createWriteStream, existsSync, statSync} from 'node:fs'
import {dirname, join, resolve} from 'node:path'
import {once} from 'node:events'
import {UsageError} from '../../core/index.js'
import {stageDir} from '../../core/index.js'
import {ProgressTask, type ProgressCallback} from '../../core/index.js'
import {loadCheckpoint, saveCheckpoint, writeModelFiles, type Checkpoint} from '../checkpoint.js'
import {TOKENIZER_FILE} from '../tokenizer.js'
import {buildDecoderModel} from './graph.js'

export const ONNX_MODEL_PATH = join('onnx', 'model.onnx')
export const ONNX_DATA_FILE = 'model.onnx_data'
/** Past this many weight bytes the ONNX weights go to onnx/model.onnx_data (protobuf stops at 2 GiB). */
export const EXTERNAL_DATA_THRESHOLD = 1.5 * 2 ** 30

export type ExportFormat = 'onnx' | 'hf'

export interface ExportOptions {
  /** Replace an existing output folder (default false). */
  overwrite?: boolean
  /** Force weights inline (false) or external (true); default: external past EXTERNAL_DATA_THRESHOLD. */
  externalData?: boolean
  onProgress?: ProgressCallback
}

/** Exports `modelDir` to `outDir`; returns the files written (relative to outDir). */
export async function exportModel(modelDir: string, outDir: string, format: ExportFormat, options: ExportOptions = {}): Promise<string[]> {
  const task = new ProgressTask(options.onProgress, `export ${format}`, 3, 'steps')
  const hasTokenizer = existsSync(join(modelDir, TOKENIZER_FILE))
  const checkpoint = await loadCheckpoint(modelDir, {tokenizer: hasTokenizer})
  task.advance(1, 'loaded')
  let files: string[]
  if (format === 'hf') files = await saveCheckpoint(outDir, checkpoint, {overwrite: options.overwrite})
  else files = await writeOnnxFolder(outDir, checkpoint, options, task)
  task.done(`${files.length} files in ${outDir}`)
  return files
}

async function writeOnnxFolder(outDir: string, checkpoint: Checkpoint, options: ExportOptions, task: ProgressTask): Promise<string[]> {
  const target = resolve(outDir)
  const exists = existsSync(target)
  if (exists && !options.overwrite) throw new UsageError(`${outDir}: already exists`, {code: 'export-out', fix: 'Choose a new --out folder, or pass --force to replace it.'})
  if (exists && !statSync(target).isDirectory()) throw new UsageError(`${outDir}: exists and is not a folder`, {code: 'export-out', fix: 'Choose another --out.'})
  const weightBytes = [...checkpoint.weights.values()].reduce((sum, t) => sum + t.data.byteLength, 0)
  const external = options.externalData ?? weightBytes > EXTERNAL_DATA_THRESHOLD
  const built = buildDecoderModel(checkpoint.config, checkpoint.weights, external ? {externalDataLocation: ONNX_DATA_FILE} : {})
  task.advance(1, 'graph built')

  // Written beside the target, then renamed into place: a crash never leaves half a folder.
  await mkdir(dirname(target), {recursive: true})
  const staged = stageDir(target)
  const temp = staged.temp
  await mkdir(join(temp, 'onnx'), {recursive: true})
  try {
    const files = [...(await writeModelFiles(temp, checkpoint)), ONNX_MODEL_PATH]
    await writeFile(join(temp, ONNX_MODEL_PATH), built.bytes)
    if (built.externalData) {
      const stream = createWriteStream(join(temp, 'onnx', ONNX_DATA_FILE))
      for (const chunk of built.externalData) if (!stream.write(chunk)) await once(stream, 'drain')
      stream.end()
      await once(stream, 'finish')
      files.push(join('onnx', ONNX_DATA_FILE))
    }
    await staged.commit()
    task.advance(1, 'written')
    return files
  } catch (error) {
    await staged.discard()
    throw error
  }
}
