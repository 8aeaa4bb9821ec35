// Runs every compiled test file with node:test inside one private temporary folder (TMPDIR), removed afterwards,
// so the hundreds of temp dirs the tests make never pile up in the system's /tmp, whatever the outcome.
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readdirSync, rmSync, statSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, relative} from 'node:path'

const root = new URL('..', import.meta.url).pathname
function testFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return testFiles(path)
    return name.endsWith('.test.js') ? [path] : []
  })
}
const files = (process.argv.length > 2 ? process.argv.slice(2) : testFiles(join(root, 'dist', 'test')).map((f) => relative(root, f))).sort()
const tmp = mkdtempSync(join(tmpdir(), 'ars-test-'))
let status = 1
try {
  const run = spawnSync(process.execPath, ['--test', '--test-reporter=spec', '--test-concurrency=2', ...files], {
    cwd: root, stdio: 'inherit', env: {...process.env, TMPDIR: tmp},
  })
  status = run.status ?? (run.signal ? 128 : 1)
} finally {
  rmSync(tmp, {recursive: true, force: true})
}
process.exit(status)
