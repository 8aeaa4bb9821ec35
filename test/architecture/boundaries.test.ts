// The layering of src/, checked on the TypeScript sources: every area has one public entry (src/<area>/index.ts)
// that commands and other areas import; areas stand in layers and import only the layers below; so no two areas
// import each other. docs/architecture.md draws the same table (docs/decisions/0970-one-home-per-part.md).
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {existsSync, readdirSync, readFileSync, statSync} from 'node:fs'
import {dirname, join, relative, resolve, sep} from 'node:path'
import {ROOT} from '../helpers/cli.js'

/** Each area's layer: an area may import areas of lower layers only (core is the ground). Keep in step with docs. */
const LAYERS: Readonly<Record<string, number>> = {
  core: 0,
  tools: 1, browse: 1, search: 1, cli: 1,
  model: 2,
  llm: 3,
  answer: 4,
  agent: 5,
  world: 6, export: 6, filter: 6,
  eval: 7, synth: 7,
  train: 8, demo: 8,
  rl: 9,
}

/**
 * Lazy doors: modules that load heavy libraries at import (onnx-proto; onnxruntime when run), reached by their own
 * path but only through `await import()` or `import type`, so no static import chain (and not `ars --help`, which
 * loads every command) pulls them in. Nothing else may be imported past an area's index.ts.
 */
const LAZY_DOORS = new Set(['src/model/onnx/engine.ts', 'src/model/onnx/trainer.ts', 'src/model/onnx/export.ts'])

interface Edge {from: string; to: string; line: number; kind: 'static' | 'type' | 'dynamic'}

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return tsFiles(path)
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : []
  })
}

const STATIC = /^\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s+['"](\.[^'"]+)['"]/gm
const DYNAMIC = /import\(\s*['"](\.[^'"]+)['"]\s*\)/g

function edges(): Edge[] {
  const out: Edge[] = []
  for (const file of [...tsFiles(join(ROOT, 'src')), ...tsFiles(join(ROOT, 'commands'))]) {
    const text = readFileSync(file, 'utf8')
    const lineOf = (index: number): number => text.slice(0, index).split('\n').length
    const target = (spec: string): string => relative(ROOT, resolve(dirname(file), spec.replace(/\.js$/, '.ts'))).split(sep).join('/')
    const from = relative(ROOT, file).split(sep).join('/')
    for (const m of text.matchAll(STATIC)) {
      const names = (m[3] ?? '').trim()
      const typeOnly = Boolean(m[2]) || /^\{\s*(type\s+[\w$]+\s*(as\s+[\w$]+\s*)?,?\s*)+\}$/.test(names)
      out.push({from, to: target(m[4]!), line: lineOf(m.index!), kind: typeOnly ? 'type' : 'static'})
    }
    for (const m of text.matchAll(DYNAMIC)) out.push({from, to: target(m[1]!), line: lineOf(m.index!), kind: 'dynamic'})
  }
  return out
}

const areaOf = (path: string): string => (path.startsWith('src/') ? path.split('/')[1]! : 'commands')

test('every area of src/ has a layer and a public entry index.ts', () => {
  const areas = readdirSync(join(ROOT, 'src')).filter((name) => statSync(join(ROOT, 'src', name)).isDirectory())
  assert.deepEqual(areas.filter((a) => !(a in LAYERS)), [], 'give each new area a layer here and in docs/architecture.md')
  assert.deepEqual(areas.filter((a) => !existsSync(join(ROOT, 'src', a, 'index.ts'))), [], 'each area exports its surface from index.ts')
})

test('commands and other areas import an area through its index.ts only (lazy doors by import() or import type)', () => {
  const all = edges()
  assert.ok(all.length > 500, `the scan found the imports (${all.length})`)
  const bad = all.filter((e) => {
    const from = areaOf(e.from)
    const to = areaOf(e.to)
    if (!e.to.startsWith('src/') || from === to) return false
    if (e.to === `src/${to}/index.ts`) return false
    return !(LAZY_DOORS.has(e.to) && e.kind !== 'static')
  })
  assert.deepEqual(bad.map((e) => `${e.from}:${e.line} imports ${e.to}${LAZY_DOORS.has(e.to) ? ' statically (a lazy door: use await import() or import type)' : ` (import it from src/${areaOf(e.to)}/index.ts, exporting it there if it is public)`}`), [])
})

test('areas import only the layers below theirs, so no two areas import each other', () => {
  const bad = edges().filter((e) => e.to.startsWith('src/') && e.from.startsWith('src/') && areaOf(e.from) !== areaOf(e.to) && !(LAYERS[areaOf(e.to)]! < LAYERS[areaOf(e.from)]!))
  assert.deepEqual(bad.map((e) => `${e.from}:${e.line} (${areaOf(e.from)}, layer ${LAYERS[areaOf(e.from)]}) imports ${e.to} (${areaOf(e.to)}, layer ${LAYERS[areaOf(e.to)]})`), [])
})

test('the scan sees a wrong import (the rules can fail)', () => {
  const text = "import {runEpisode} from '../agent/loop.js'\nexport type {X} from '../core/index.js'\nconst m = await import('../model/onnx/engine.js')\n"
  const found = [...text.matchAll(STATIC)].map((m) => [m[4], Boolean(m[2])])
  assert.deepEqual(found, [['../agent/loop.js', false], ['../core/index.js', true]])
  assert.deepEqual([...text.matchAll(DYNAMIC)].map((m) => m[1]), ['../model/onnx/engine.js'])
})
