// Question → the JSONL rows ASearcher's AReaL training reads (ASearcher/train/asearcher.py loads them with
// `datasets.load_dataset("json")`; utils/search_tool.py keys ground truth by `idx`/`qid`/`id` and reads `answer`,
// a string or a list, plus an optional `aug_answer`). The question id must not contain "@" (AReaL splits on it).
import {DataError} from '../core/index.js'
import type {Question} from '../core/index.js'

export interface ArealRow {
  question: string
  answer: string[]
  source: string
  id: string
  idx: string
}

export function arealRow(q: Question, where?: string): ArealRow {
  if (q.id.includes('@')) throw new DataError(`id ${JSON.stringify(q.id)} contains "@", which AReaL's search toolbox splits on`, {code: 'areal-id', where, fix: 'Rename the question ids (e.g. with `ars records convert`) so they hold no "@".'})
  if (q.answers.length === 0) throw new DataError(`question ${q.id} has no answers: AReaL computes its reward against "answer"`, {code: 'areal-answer', where, fix: 'Drop unanswered questions first (ars filter --where \'len(answers) > 0\').'})
  return {question: q.question, answer: [...q.answers], source: q.source || 'ars', id: q.id, idx: q.id}
}
