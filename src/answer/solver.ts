// What answers a question K times for a pass rate: the agent with tools (src/filter/agent-solver.ts) or the model
// alone (./closed-book.ts). The filter's difficulty check and the synthesis difficulty check both take one.

export interface SolveRequest {
  id: string
  question: string
  answers: readonly string[]
  sample: number
  signal?: AbortSignal
}

export interface Solver {
  /** e.g. `agent:<model>+<search>` or `closed-book:<model>`. */
  readonly id: string
  /** The final answer (null when none was given). Throws only when the attempt itself could not run. */
  solve(request: SolveRequest): Promise<string | null>
}
