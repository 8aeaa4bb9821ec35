// Stream stages over parsed JSONL lines: validate against a record type, convert outside formats to Question,
// and refuse an empty input. Each is an async generator so commands compose them and writeJsonl drains them.
import {DataError} from './errors.js'
import {type InvalidPolicy, type JsonLine} from './jsonl.js'
import {parseRecord, QuestionType, SynthItemType, synthItemToQuestion, toQuestion, type Question, type QuestionFormat, type RecordType} from './records/index.js'

export async function* validateRecords<T>(lines: AsyncIterable<JsonLine>, type: RecordType, policy: InvalidPolicy): AsyncGenerator<T> {
  for await (const {source, line, value} of lines) {
    let record: T
    try {
      record = parseRecord(type, value, `${source}:${line}`) as T
    } catch (error) {
      if (error instanceof DataError) {
        policy.handle(error)
        continue
      }
      throw error
    }
    yield record
  }
}

/**
 * Questions from a stream of Question or SynthItem records (by each line's `type`), so `synthesize | filter`
 * output feeds rollout directly; a SynthItem becomes the Question it poses. `check` (optional) refuses a question
 * a later stage cannot use by throwing a DataError; it gets the line's `file:line` to name, and its error goes to
 * the --on-invalid policy like a schema error.
 */
export async function* questionRecords(lines: AsyncIterable<JsonLine>, policy: InvalidPolicy, check?: (question: Question, where: string) => void): AsyncGenerator<Question> {
  for await (const {source, line, value} of lines) {
    const where = `${source}:${line}`
    let question: Question
    try {
      const isSynth = value !== null && typeof value === 'object' && (value as {type?: unknown}).type === SynthItemType.type
      question = isSynth ? synthItemToQuestion(parseRecord(SynthItemType, value, where)) : parseRecord(QuestionType, value, where)
      check?.(question, where)
    } catch (error) {
      if (error instanceof DataError) {
        policy.handle(error)
        continue
      }
      throw error
    }
    yield question
  }
}

export async function* convertQuestions(lines: AsyncIterable<JsonLine>, format: QuestionFormat, policy: InvalidPolicy): AsyncGenerator<unknown> {
  for await (const {source, line, value} of lines) {
    const where = `${source}:${line}`
    try {
      yield parseRecord(QuestionType, toQuestion(value, format, where, line), where)
    } catch (error) {
      if (error instanceof DataError) {
        policy.handle(error)
        continue
      }
      throw error
    }
  }
}

/** Passes items through, counting them; `onEnd(count)` runs after the last (throw there to reject empties). */
export async function* counted<T>(items: AsyncIterable<T>, onEnd: (count: number) => void): AsyncGenerator<T> {
  let count = 0
  for await (const item of items) {
    count++
    yield item
  }
  onEnd(count)
}

/** Throws a DataError when nothing came through, naming the inputs. */
export function requireNonEmpty(inputs: readonly string[] | undefined, invalid: number) {
  return (count: number): void => {
    if (count > 0) return
    const names = !inputs || inputs.length === 0 ? 'stdin' : inputs.map((i) => (i === '-' ? 'stdin' : i)).join(', ')
    if (invalid > 0) throw new DataError(`no valid records: all ${invalid} input lines were invalid`, {where: names, code: 'empty'})
    throw new DataError('empty input: no records', {where: names, code: 'empty', fix: 'Check the previous stage of the pipeline, or pass --allow-empty.'})
  }
}
