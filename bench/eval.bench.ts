// Scoring throughput: EM + F1 + cover-EM over the same seeded (prediction, gold) pairs, ars in process versus
// the official Python functions (SQuAD normalize_answer, HotpotQA f1_score, Search-R1 subem) timed in process
// by python3 in the same run. Both time only the scoring loop, not file reading.
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {spawnSync} from 'node:child_process'
import {Rng} from '../src/core/rng.js'
import {coverExactMatch, exactMatch, tokenF1} from '../src/answer/index.js'
import {isMain, report, ROOT} from './harness.js'

const WORDS = 'The the a An river City founded who which Ünïcode café year prize award guild director novel film born capital "mountain" island, author painter king queen war treaty 1,000 3.5 yes no'.split(' ')

const PY = `
import json, re, string, sys, time
from collections import Counter
sys.path.insert(0, ${JSON.stringify(join(ROOT, 'test/fixtures/eval'))})
exec(open(${JSON.stringify(join(ROOT, 'test/fixtures/eval/metric-reference.py'))}).read().split('for line in sys.stdin')[0])
pairs = [json.loads(l) for l in open(sys.argv[1])]
best = None
for _ in range(int(sys.argv[2])):
    t = time.perf_counter()
    s = 0.0
    for p, g in pairs:
        s += int(normalize_answer(p) == normalize_answer(g)) + f1(p, g) + int(normalize_answer(g) in normalize_answer(p))
    dt = time.perf_counter() - t
    best = dt if best is None else min(best, dt)
print(json.dumps({"seconds": best, "sum": s}))
`

export async function run(options: {pairs?: number; repeats?: number} = {}): Promise<void> {
  const n = options.pairs ?? 200_000
  const repeats = options.repeats ?? 3
  const rng = new Rng(11)
  const phrase = (): string => Array.from({length: rng.range(1, 6)}, () => rng.pick(WORDS)).join(' ')
  const pairs: [string, string][] = Array.from({length: n}, () => [phrase(), phrase()])
  const dir = mkdtempSync(join(tmpdir(), 'ars-eval-bench-'))
  try {
    const file = join(dir, 'pairs.jsonl')
    writeFileSync(file, pairs.map((p) => JSON.stringify(p)).join('\n') + '\n')
    const times: number[] = []
    let sum = 0
    for (let r = 0; r < repeats; r++) {
      const t = performance.now()
      sum = 0
      for (const [p, g] of pairs) sum += exactMatch(p, g) + tokenF1(p, g).f1 + coverExactMatch(p, g)
      times.push(performance.now() - t)
    }
    writeFileSync(join(dir, 'score.py'), PY)
    const py = spawnSync('python3', [join(dir, 'score.py'), file, String(repeats)], {encoding: 'utf8', maxBuffer: 1 << 24})
    const peer = py.status === 0 ? (JSON.parse(py.stdout.trim().split('\n').pop() as string) as {seconds: number; sum: number}) : undefined
    const arsRate = n / (Math.min(...times) / 1000)
    const peerRate = peer ? n / peer.seconds : null
    report({
      bench: 'eval',
      figure: 'em+f1+cover_em scoring',
      unit: 'pairs/s',
      ars: Math.round(arsRate),
      peer: 'official Python scorers (python3, in process)',
      peer_value: peerRate === null ? null : Math.round(peerRate),
      ratio: peerRate === null ? null : Number((arsRate / peerRate).toFixed(2)),
      goal: 'ratio >= 1',
      pairs: n,
      agree: peer ? Math.abs(peer.sum - sum) < 1e-6 * n : null,
      notes: `best of ${repeats}; "agree" checks both summed the same scores${py.status === 0 ? '' : `; python failed: ${py.stderr.slice(0, 200)}`}`,
    })
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

if (isMain(import.meta.url)) {
  const arg = process.argv.find((a) => a.startsWith('--pairs='))
  await run({pairs: arg ? Number(arg.split('=')[1]) : undefined})
}
