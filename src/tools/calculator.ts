// The `calculator` tool: mathjs's expression parser (no JavaScript eval) on 64-digit BigNumbers, so decimal
// arithmetic is exact (0.1 + 0.2 = 0.3), with fractions, percentages and units. The functions mathjs's security
// notes name as risky (import, createUnit, evaluate, parse, simplify, derivative, resolve) are replaced by ones
// that throw. It runs inside the sandbox worker (sandbox-pool.ts), so a slow expression is cut by a deadline.
import {all, create, type MathJsInstance} from 'mathjs'

export const MAX_EXPRESSION_CHARS = 2000
export const MAX_RESULT_CHARS = 4000

/** mathjs's security notes' list, plus `compile` (another parser entry) and `config` (would switch off BigNumber). */
const DISABLED = ['import', 'createUnit', 'reviver', 'evaluate', 'parse', 'compile', 'simplify', 'derivative', 'resolve', 'config'] as const

/** A calculator: expression text → result text (throws an Error whose message is for the model). */
export function createCalculator(): (expression: string) => string {
  const math: MathJsInstance = create(all, {number: 'BigNumber', precision: 64})
  const evaluate = math.evaluate.bind(math)
  const format = math.format.bind(math)
  const disabled: Record<string, () => never> = {}
  for (const name of DISABLED) {
    disabled[name] = () => {
      throw new Error(`function ${name} is disabled in the calculator`)
    }
  }
  math.import(disabled, {override: true})
  return (expression: string) => {
    const text = expression.trim()
    if (!text) throw new Error('empty expression')
    if (text.length > MAX_EXPRESSION_CHARS) throw new Error(`expression is ${text.length} characters; the calculator takes at most ${MAX_EXPRESSION_CHARS} (use the code tool for longer work)`)
    let value: unknown = evaluate(text)
    // "a = 3; a * 2" gives a ResultSet: the value of the last statement is the answer.
    if (value && typeof value === 'object' && 'entries' in value && Array.isArray((value as {entries: unknown[]}).entries)) value = (value as {entries: unknown[]}).entries.at(-1)
    if (value === undefined) throw new Error('the expression has no value')
    if (typeof value === 'function') throw new Error('the expression is a function, not a value; call it with arguments')
    // Integers print whole up to 64 digits (2^100 exactly); other values to 20 significant digits.
    const whole = isWholeNumber(math, value)
    const out = format(value, whole ? {precision: 64, upperExp: 64} : {precision: 20, lowerExp: -12, upperExp: 21})
    return out.length > MAX_RESULT_CHARS ? `${out.slice(0, MAX_RESULT_CHARS)}… [result cut at ${MAX_RESULT_CHARS} characters]` : out
  }
}

function isWholeNumber(math: MathJsInstance, value: unknown): boolean {
  if (!math.isBigNumber(value) && typeof value !== 'number') return false
  try {
    return Boolean(math.isInteger(value as number))
  } catch {
    return false
  }
}
