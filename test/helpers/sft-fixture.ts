// The fixture of the `ars train sft` tests (in process and through the CLI): a temp folder holding a tiny model made
// by the real `ars model init --preset tiny --tokenizer world` and an SFT JSONL of one-turn chats, each answering
// its question with `<answer>…</answer>`.
import assert from 'node:assert/strict'
import {mkdtemp, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {runCli} from './cli.js'

export interface SftFixture {
  /** The temp folder (the caller removes it). */
  root: string
  /** ROOT/tiny: the initialised model. */
  model: string
  /** ROOT/<dataName>: the SFT records. */
  data: string
}

export async function sftFixture(prefix: string, seed: number, dataName: string, pairs: readonly (readonly [question: string, answer: string])[]): Promise<SftFixture> {
  const root = await mkdtemp(join(tmpdir(), prefix))
  const model = join(root, 'tiny')
  const made = await runCli(['model', 'init', '--preset', 'tiny', '--tokenizer', 'world', '--out', model, '--seed', String(seed)])
  assert.equal(made.code, 0, made.stderr)
  const data = join(root, dataName)
  const records = pairs.map(([q, a]) => ({messages: [{role: 'user', content: q}, {role: 'assistant', content: `<answer>${a}</answer>`}]}))
  await writeFile(data, records.map((r) => JSON.stringify(r)).join('\n') + '\n')
  return {root, model, data}
}
