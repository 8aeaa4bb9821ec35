// The file tool's reader on tiny real files made here (PDF by hand, XLSX by exceljs, DOCX by jszip, CSV, TXT,
// JSON), the refusals (images, names outside the question's attachments, paths) and part-by-part reading.
import {test} from 'node:test'
import assert from 'node:assert/strict'
import {rmSync, symlinkSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {tmpdir} from 'node:os'
import {AttachmentReader, attachmentsOf, unreadableReason} from '../../src/tools/attachments.js'
import {AgentTools} from '../../src/agent/tools.js'
import {MemorySearch} from '../helpers/memory-search.js'
import {makeAttachmentsDir} from '../helpers/attachment-fixtures.js'

const dir = await makeAttachmentsDir()
test.after(() => rmSync(dir, {recursive: true, force: true}))
const all = ['report.pdf', 'sales.xlsx', 'memo.docx', 'table.csv', 'notes.txt', 'data.json', 'photo.png']

test('PDF, XLSX, DOCX, CSV, TXT and JSON read back as text', async () => {
  const reader = new AttachmentReader({dir})
  const pdf = (await reader.read('report.pdf', all)).text
  assert.match(pdf, /\[Page 1 of 2\]\nQuarterly report\s+Revenue was 1234 dollars\./)
  assert.match(pdf, /\[Page 2 of 2\]\nPage two says the code word is heron\./)
  const xlsx = (await reader.read('sales.xlsx', all)).text
  assert.match(xlsx, /Sheet "Sales" \(3 rows, 3 columns/)
  assert.match(xlsx, /1: Item \| Units \| Price\n2: Apple \| 3 \| 0\.5\n3: Pear \| 7 \| 1\.25/)
  assert.match(xlsx, /Sheet "Notes"[^\n]*\n\n1: Checked by \| Ilse/)
  assert.equal((await reader.read('memo.docx', all)).text.trim(), 'Memo to staff\n\nThe meeting moved to Thursday.')
  assert.equal((await reader.read('table.csv', all)).text, 'name,age\nAda,36\nAlan,41\n')
  assert.deepEqual(JSON.parse((await reader.read('data.json', all)).text), {answer: 42, tags: ['a', 'b']})
})

test('refusals: images, files not attached to the question, folders in the name, links out of the folder', async () => {
  const reader = new AttachmentReader({dir})
  await assert.rejects(reader.read('photo.png', all), /cannot read "photo.png": \.png is an image/)
  await assert.rejects(reader.read('sales.xlsx', ['report.pdf']), /"sales.xlsx" is not attached to this question; its attachment is "report.pdf"/)
  await assert.rejects(reader.read('report.pdf', []), /this question has no attached file/)
  await assert.rejects(reader.read('../etc/passwd.txt', ['../etc/passwd.txt']), /is not a file name/)
  const outside = join(tmpdir(), `ars-outside-${process.pid}.txt`)
  writeFileSync(outside, 'secret')
  symlinkSync(outside, join(dir, 'link.txt'))
  try {
    await assert.rejects(reader.read('link.txt', ['link.txt']), /outside the attachments folder/)
  } finally {
    rmSync(outside, {force: true})
  }
  await assert.rejects(reader.read('missing.txt', ['missing.txt']), /there is no file "missing.txt"/)
  assert.match(unreadableReason('clip.mp3') ?? '', /audio/)
  assert.match(unreadableReason('talk.mp4') ?? '', /video/)
  assert.match(unreadableReason('slides.pptx') ?? '', /slide deck/)
  assert.equal(unreadableReason('x.XLSX'), undefined)
  assert.throws(() => new AttachmentReader({dir: join(dir, 'nope')}), /does not exist/)
})

test('a session reads its question\'s file part by part, like a page', async () => {
  const tools = new AgentTools({search: new MemorySearch([]), enabled: ['file'], attachmentsDir: dir, chunkChars: 300})
  const session = tools.session({meta: {file_name: 'notes.txt'}})
  const first = await session.file('notes.txt')
  assert.ok(first.parts > 3, `${first.parts} parts`)
  assert.match(first.text, /^File: notes.txt\nPart 1 of \d+\n\nLine 1 of the notes/)
  assert.match(first.text, /Read the same file again to read part 2\.\]$/)
  const second = await session.call('file', 'notes.txt')
  assert.match(second, /^File: notes.txt\nPart 2 of /)
  assert.ok(!second.includes('Line 1 of'), 'the second read is the next part')
  await assert.rejects(session.call('file', 'report.pdf'), /not attached to this question/)
  assert.deepEqual(attachmentsOf({meta: {file_name: 'a.pdf', attachments: ['b.csv', 'a.pdf']}}), ['a.pdf', 'b.csv'])
  const off = new AgentTools({search: new MemorySearch([])})
  await assert.rejects(off.session({meta: {file_name: 'notes.txt'}}).call('file', 'notes.txt'), /the file tool is not enabled/)
  await tools.close()
})
