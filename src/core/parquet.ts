// Parquet at the boundary: verl / Search-R1 / DeepResearcher ship questions as parquet rows. One reader for
// `ars eval` (benchmark files) and `ars records convert`, so both read the same files the same way.
import {DataError} from './errors.js'
import {readJsonl, type JsonLine, type ReadJsonlOptions} from './jsonl.js'

export const isParquetPath = (path: string): boolean => /\.parquet$/i.test(path)

/** Every row of a parquet file as a plain JSON-safe object (INT64 → number). */
export async function readParquetObjects(path: string): Promise<Record<string, unknown>[]> {
  const {asyncBufferFromFile, parquetReadObjects} = await import('hyparquet')
  try {
    const objects = await parquetReadObjects({file: await asyncBufferFromFile(path)})
    return objects.map((o) => jsonSafe(o) as Record<string, unknown>)
  } catch (error) {
    throw new DataError(`cannot read parquet: ${(error as Error).message}`, {where: path, code: 'parquet', fix: 'Check the file is a complete parquet file (verl/Search-R1 train.parquet, test.parquet).'})
  }
}

/** Parquet INT64 comes back as bigint; records only need numbers and strings. */
function jsonSafe(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value)
  if (Array.isArray(value)) return value.map(jsonSafe)
  if (value !== null && typeof value === 'object' && !(value instanceof Date) && !(value instanceof Uint8Array)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]))
  return value
}

/**
 * `readJsonl`, except that a `.parquet` path yields its rows (line = 1-based row number), so a command that
 * reads records reads a verl parquet file as it reads the same rows as JSONL.
 */
export async function* readJsonlOrParquet(inputs: string | readonly string[] = [], options: ReadJsonlOptions = {}): AsyncGenerator<JsonLine> {
  const list = typeof inputs === 'string' ? [inputs] : inputs
  if (!list.some(isParquetPath)) {
    yield* readJsonl(list, options)
    return
  }
  for (const input of list) {
    if (!isParquetPath(input)) {
      yield* readJsonl([input], options)
      continue
    }
    const rows = await readParquetObjects(input)
    for (let i = 0; i < rows.length; i++) yield {source: input, line: i + 1, value: rows[i]}
  }
}
