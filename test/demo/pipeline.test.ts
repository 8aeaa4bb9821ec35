import {test} from 'node:test'
import assert from 'node:assert/strict'
import {existsSync, mkdtempSync, readFileSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {runStages, shellLine, type DemoStage} from '../../src/demo/pipeline.js'
import {demoPlan} from '../../src/demo/plan.js'
import {runCli} from '../helpers/cli.js'

const q = (id: string) => JSON.stringify({id, question: `Q ${id}?`, answers: ['a']})

test('stages run in order, stdout is renamed into place only on success, and a re-run skips finished stages', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ars-demo-'))
  const input = join(dir, 'in.jsonl')
  writeFileSync(input, [q('1'), q('2')].join('\n') + '\n')
  const good: DemoStage = {name: 'validate', about: 'validate', args: ['records', 'validate', '--type', 'question'], stdin: input, stdout: join(dir, 'ok.jsonl'), outputs: []}
  const bad: DemoStage = {name: 'bad', about: 'fails', args: ['records', 'validate', '--type', 'trajectory'], stdin: input, stdout: join(dir, 'bad.jsonl'), outputs: []}
  const log: string[] = []
  await assert.rejects(runStages([good, bad], {out: dir, log: (l) => log.push(l), quiet: true}), (e: Error & {exitCode?: number}) => /stage bad exited with 1/.test(e.message) && e.exitCode === 1)
  assert.equal(readFileSync(join(dir, 'ok.jsonl'), 'utf8').trim().split('\n').length, 2)
  assert.equal(existsSync(join(dir, 'bad.jsonl')), false, 'a failed stage leaves no output under its final name')
  assert.ok(log.includes(`  $ ${shellLine(good)}`))
  const again: string[] = []
  const results = await runStages([good], {out: dir, log: (l) => again.push(l), quiet: true})
  assert.deepEqual(results.map((r) => r.skipped), [true])
  assert.match(again[0]!, /done, skipped/)
})

test('shell lines quote what the shell would split, and the plan chains each stage to the previous one', () => {
  const stage: DemoStage = {name: 'x', about: '', args: ['filter', '--where', "answers ~ it's"], stdin: 'a b.jsonl', stdout: 'out.jsonl', outputs: []}
  assert.equal(shellLine(stage), `ars filter --where 'answers ~ it'\\''s' < 'a b.jsonl' > out.jsonl`)
  const plan = demoPlan({world: 'w', policy: 'p', out: 'o', seeds: 3, trainQuestions: 2, steps: 2, samples: 4, evalLimit: 5, seed: 1})
  assert.deepEqual(plan.map((s) => s.name), ['synthesize', 'filter', 'eval-before', 'train', 'eval-after', 'compare'])
  assert.equal(plan[1]!.stdin, plan[0]!.stdout)
  assert.ok(plan[3]!.args.includes(plan[1]!.stdout!), 'train reads what filter kept')
  assert.ok(plan[4]!.args.includes(join('o', 'run', 'latest')), 'the second eval scores the trained policy')
  for (const stage of [plan[2]!, plan[4]!]) assert.deepEqual(stage.args.slice(stage.args.indexOf('--agent-format'), stage.args.indexOf('--agent-format') + 2), ['--agent-format', 'compact'])
  assert.ok(plan[3]!.args.join(' ').includes('--format compact'), 'RL trains in the format the policy was trained in')
  const withCommitted = demoPlan({world: 'w', policy: 'p', committed: 'c', out: 'o', seeds: 3, trainQuestions: 2, steps: 2, samples: 4, evalLimit: 5, seed: 1})
  assert.deepEqual(withCommitted.map((s) => s.name).slice(6), ['eval-committed', 'compare-committed'])
  assert.ok(withCommitted[6]!.args.includes('c') && withCommitted[7]!.args.includes(join('o', 'eval-committed.jsonl')))
})

test('ars demo refuses a folder that is not a model and a --force on a folder that is not a demo', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ars-demo-'))
  const r = await runCli(['demo', '--policy', dir, '--out', join(dir, 'o')])
  assert.equal(r.code, 2)
  assert.match(r.stderr, /--policy .*not a model folder \(no config\.json\)/)
  writeFileSync(join(dir, 'config.json'), '{}')
  writeFileSync(join(dir, 'keep.txt'), 'precious')
  const f = await runCli(['demo', '--policy', dir, '--out', dir, '--force'])
  assert.equal(f.code, 2)
  assert.match(f.stderr, /is not an ars demo folder/)
  assert.equal(readFileSync(join(dir, 'keep.txt'), 'utf8'), 'precious')
})

test('ars demo runs the whole loop on the committed world and policy, and a second run resumes with nothing left to do', async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'ars-demo-')), 'demo')
  const args = ['demo', '--out', out, '--seeds', '4', '--train-questions', '4', '--steps', '1', '--samples', '2', '--eval-limit', '4', '--quiet']
  const r = await runCli(args, {timeoutMs: 600_000})
  assert.equal(r.code, 0, r.stderr)
  for (const f of ['seeds.jsonl', 'synth.jsonl', 'train.jsonl', 'eval-before.jsonl', 'eval-after.jsonl', 'metrics.jsonl', 'compare.txt', 'report-after/report.html', 'run/latest/model.safetensors']) {
    assert.ok(existsSync(join(out, f)), `${f} is written`)
  }
  assert.equal(readFileSync(join(out, 'seeds.jsonl'), 'utf8').trim().split('\n').length, 4)
  const metric = JSON.parse(readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n')[0]!)
  assert.equal(metric.type, 'train_metric')
  // One step: an update when its batch had reward variance, otherwise no update (the version stays 0).
  assert.equal(metric.policy_version, metric.metrics.update_skipped ? 0 : 1)
  assert.equal(readFileSync(join(out, 'eval-after.jsonl'), 'utf8').trim().split('\n').length, 4)
  assert.match(r.stderr, /\$ ars synthesize --engine kb/)
  assert.match(r.stderr, /data: +4 seeds → \d+ synthesized → \d+ kept after filter/)
  assert.match(r.stderr, /train: +1 steps, reward_mean/)
  assert.ok(existsSync(join(out, 'compare-committed.txt')), 'the committed RL policy is compared with the starting one')
  assert.match(r.stderr, /committed: datasets\/policy-search-rl .*EM [\d.]+ → [\d.]+ \([+-][\d.]+ points, 95 % CI \[[-\d.]+, [-\d.]+\], \d+ questions, \d+ gained and \d+ lost; /)
  const again = await runCli(args, {timeoutMs: 120_000})
  assert.equal(again.code, 0, again.stderr)
  assert.equal((again.stderr.match(/\(done, skipped\)/g) ?? []).length, 8)
})
