// Multiset overlap: how many items two bags share (SQuAD's common-token count), used by token F1, the page
// extractor's coverage check and the extraction benchmark's helper.

/** Σ over items of min(count in `a`, count in `b`). */
export function multisetOverlap(a: readonly string[], b: readonly string[]): number {
  const counts = new Map<string, number>()
  for (const t of b) counts.set(t, (counts.get(t) ?? 0) + 1)
  let same = 0
  for (const t of a) {
    const c = counts.get(t) ?? 0
    if (c > 0) {
      same++
      counts.set(t, c - 1)
    }
  }
  return same
}
