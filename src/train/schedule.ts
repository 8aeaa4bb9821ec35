// Learning-rate schedules shared by SFT and RL: linear warm-up, then constant or cosine decay to zero at the end.
export const SCHEDULES = ['cosine', 'constant'] as const
export type Schedule = (typeof SCHEDULES)[number]

export interface ScheduleOptions {
  peak: number
  /** Steps of linear warm-up: step s (0-based) uses peak · (s+1)/(warmup+1), so the first step is never 0. */
  warmup: number
  /** Total steps of the run (cosine reaches 0 after the last). */
  total: number
  schedule: Schedule
}

/** The learning rate of 0-based step `step`. */
export function learningRateAt(step: number, o: ScheduleOptions): number {
  if (step < o.warmup) return (o.peak * (step + 1)) / (o.warmup + 1)
  if (o.schedule === 'constant') return o.peak
  const span = Math.max(1, o.total - o.warmup)
  const progress = Math.min(1, (step - o.warmup) / span)
  return o.peak * 0.5 * (1 + Math.cos(Math.PI * progress))
}
