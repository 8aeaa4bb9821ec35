// The one rule that turns a model's reply into its final answer, for every place that asks a model for an answer
// without the agent loop (closed-book eval, `filter --no-tool-fail`, the synthesis difficulty check, judge
// alternatives). The agent loop parses actions with its format (src/agent/formats.ts), not with this.

const CLOSED = /<answer>([\s\S]*?)<\/answer>/gi
const OPEN = /<answer>/gi

/**
 * The final answer in `text`, or null when it is empty:
 * 1. the inside of the last closed `<answer>…</answer>`;
 * 2. else, when an `<answer>` opens and never closes (generation stopped at the `</answer>` stop string, or a
 *    text prompt opened the tag), everything after the last one;
 * 3. else (a model that ignored the tag) the first non-empty line.
 * Whitespace around the answer is trimmed.
 */
export function extractAnswer(text: string): string | null {
  const closed = [...text.matchAll(CLOSED)]
  let inside: string
  if (closed.length > 0) inside = closed[closed.length - 1]![1] as string
  else {
    const opens = [...text.matchAll(OPEN)]
    if (opens.length > 0) {
      const last = opens[opens.length - 1]!
      inside = text.slice(last.index + last[0].length)
    } else inside = text.split('\n').find((l) => l.trim() !== '') ?? ''
  }
  const answer = inside.trim()
  return answer === '' ? null : answer
}
