// Run an async function over a stream with bounded concurrency and yield results in input order: the one episode
// scheduler (src/core/episodes.ts) with one sample per item. Backpressure: at most `window` items are in flight or
// waiting to be yielded. Used by the filter's difficulty stage and by synthesis (one seed per item).
import {runEpisodes} from '../core/index.js'

export async function* orderedMap<T, R>(items: AsyncIterable<T>, fn: (item: T, index: number) => Promise<R>, concurrency: number, window = concurrency * 4): AsyncGenerator<R> {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`Expected concurrency ≥ 1, got ${concurrency}`)
  async function* indexed(): AsyncGenerator<{item: T; index: number}> {
    let index = 0
    for await (const item of items) yield {item, index: index++}
  }
  // Results are boxed: null is the scheduler's "dropped", and fn may return anything.
  for await (const box of runEpisodes(indexed(), async ({question}) => ({value: await fn(question.item, question.index)}), {concurrency, reorderWindow: window, keyOf: (x) => String(x.index)})) yield box.value
}
