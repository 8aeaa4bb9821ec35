// The fast part of the kill -9 → --resume campaign (npm test): `ars synthesize` killed mid-output and `ars train
// --mode sync` killed while writing its final checkpoint folder, each resumed to the end and compared byte for byte with a
// run never killed. The full version (random kill points, async too): `npm run reliability`.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {synthesizeKills, trainKills, type KillRow} from './kill-resume.js'

const clean = (r: KillRow): void => {
  assert.ok(r.tried > 0, r.note)
  assert.deepEqual({lost: r.lost, hung: r.hung, unclear: r.unclear, handled: r.handled}, {lost: 0, hung: 0, unclear: 0, handled: r.tried}, r.note)
}

test('synthesize: killed mid-output, resumed: items and rejects identical to a run never killed', async () => {
  const r = await synthesizeKills(1, 1)
  clean(r)
  assert.match(r.note, /output-bytes×1/, 'the kill landed mid-run')
})

test('train --mode sync: killed while writing a checkpoint, resumed: metrics, weights and optimizer identical to a run never killed', async () => {
  // Killed in the final save (step 2's), so the resume redoes step 2 from step 1's checkpoint. Counters such as
  // groups_finished and zero_variance_share once restarted from 0 after a resume.
  const r = await trainKills({mode: 'sync', kills: 1, steps: 2, points: [{kind: 'checkpoint-write', nth: 2}]})
  clean(r)
  assert.match(r.note, /checkpoint-write×1/, 'the kill landed during a checkpoint write')
})
