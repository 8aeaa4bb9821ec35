// Question → the parquet rows verl's Search-R1 recipe trains on (scripts/data_process/qa_search_train_merge.py):
// data_source, prompt [{role, content}] (Search-R1's instruction with the question), ability, reward_model
// {style: "rule", ground_truth: {target: [...]}}, extra_info {split, index}. Written with hyparquet-writer.
import type {Question} from '../core/index.js'
import {SEARCH_R1_TEMPLATE, renderTemplate, type PromptTemplate} from '../agent/index.js'

export interface VerlRow {
  data_source: string
  prompt: Array<{role: string; content: string}>
  ability: string
  reward_model: {style: 'rule'; ground_truth: {target: string[]}}
  extra_info: {split: string; index: number; id: string}
}

/** One verl row; `index` is the row's position in its split, as Search-R1 numbers them. */
export function verlRow(q: Question, index: number, template: PromptTemplate = SEARCH_R1_TEMPLATE): VerlRow {
  const {system, user} = renderTemplate(template, q.question)
  return {
    data_source: q.source || 'ars',
    prompt: [...(system ? [{role: 'system', content: system}] : []), {role: 'user', content: user}],
    ability: 'fact-reasoning',
    reward_model: {style: 'rule', ground_truth: {target: [...q.answers]}},
    // `id` is ours (verl passes extra_info through untouched): it keeps question ids across the round trip.
    extra_info: {split: q.split ?? 'train', index, id: q.id},
  }
}

const STRING = {type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL'} as const

/** The parquet schema of VerlRow: nested groups and 3-level LISTs, as pandas/pyarrow write them. */
function verlSchema(): Array<Record<string, unknown>> {
  return [
    {name: 'root', num_children: 5},
    {name: 'data_source', ...STRING},
    {name: 'prompt', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1},
    {name: 'list', repetition_type: 'REPEATED', num_children: 1},
    {name: 'element', repetition_type: 'OPTIONAL', num_children: 2},
    {name: 'role', ...STRING},
    {name: 'content', ...STRING},
    {name: 'ability', ...STRING},
    {name: 'reward_model', repetition_type: 'OPTIONAL', num_children: 2},
    {name: 'style', ...STRING},
    {name: 'ground_truth', repetition_type: 'OPTIONAL', num_children: 1},
    {name: 'target', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1},
    {name: 'list', repetition_type: 'REPEATED', num_children: 1},
    {name: 'element', ...STRING},
    {name: 'extra_info', repetition_type: 'OPTIONAL', num_children: 3},
    {name: 'split', ...STRING},
    {name: 'index', type: 'INT64', repetition_type: 'OPTIONAL'},
    {name: 'id', ...STRING},
  ]
}

/** The parquet file's bytes. verl reads the whole file into a dataframe, so rows are buffered by the caller anyway. */
export async function verlParquet(rows: readonly VerlRow[]): Promise<Uint8Array> {
  const {parquetWriteBuffer} = await import('hyparquet-writer')
  const column = <K extends keyof VerlRow>(name: K): unknown[] => rows.map((r) => (name === 'extra_info' ? {...r.extra_info, index: BigInt(r.extra_info.index)} : r[name]))
  const buffer = parquetWriteBuffer({
    columnData: (['data_source', 'prompt', 'ability', 'reward_model', 'extra_info'] as const).map((name) => ({name, data: column(name)})),
    schema: verlSchema() as never,
  })
  return new Uint8Array(buffer)
}
