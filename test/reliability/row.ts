// One line of the campaign's table: what a probe tried and how each try ended.
export interface Row {
  probe: string
  tried: number
  /** A result, or a clear error naming the place and the fix, within the time bound. */
  handled: number
  /** Valid work missing or duplicated, or a guard that let a connection through. */
  lost: number
  /** Past its time bound. */
  hung: number
  /** An error without file:line / URL, or a stack trace. */
  unclear: number
  note: string
}

export const row = (probe: string): Row => ({probe, tried: 0, handled: 0, lost: 0, hung: 0, unclear: 0, note: ''})
