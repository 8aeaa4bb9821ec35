// One recogniser for a world folder (core/world-folder.ts) and one way to open its search (open-or-build.ts),
// used by the agent's world tools, `ars serve web`, eval, synthesize and the commands.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {existsSync, mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {ROOT} from '../helpers/cli.js'
import {isWorldDir, worldPaths} from '../../src/core/world-folder.js'
import {openOrBuildIndex} from '../../src/search/bm25/open-or-build.js'

test('a world folder is a folder with world.json, nothing else', () => {
  const world = join(ROOT, 'datasets/world-small')
  assert.equal(isWorldDir(world), true)
  assert.equal(existsSync(worldPaths(world).corpus), true)
  assert.equal(existsSync(worldPaths(world).truth), true)
  const dir = mkdtempSync(join(tmpdir(), 'ars-wf-'))
  assert.equal(isWorldDir(dir), false)
  assert.equal(isWorldDir(undefined), false)
  assert.equal(isWorldDir(''), false)
  writeFileSync(join(dir, 'world.json'), '{}')
  assert.equal(isWorldDir(dir), true, 'the recogniser does not validate: readManifest in src/world/load.ts does')
})

test('openOrBuildIndex builds a scratch index when the folder has none, and removes it at close', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ars-wf-'))
  const corpus = join(dir, 'corpus.jsonl')
  writeFileSync(corpus, `${JSON.stringify({id: 'a', title: 'Osk', text: 'The river Osk runs north.'})}\n${JSON.stringify({id: 'b', title: 'Lund', text: 'A town.'})}\n`)
  const notes: string[] = []
  const opened = await openOrBuildIndex(join(dir, 'index'), corpus, {onNote: (m) => notes.push(m)})
  assert.equal(opened.scratch, true)
  assert.match(notes[0] ?? '', /ars index .*corpus\.jsonl --out .*index/)
  const scratchDir = opened.index.dir
  assert.equal((await opened.index.search('river'))[0]?.id, 'a')
  await opened.close()
  assert.equal(existsSync(scratchDir), false)
  assert.equal(existsSync(join(dir, 'index')), false, 'nothing is written into the folder itself')
})
