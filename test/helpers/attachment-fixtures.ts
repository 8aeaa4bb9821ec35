// Tiny real attachment files made at test time: a PDF written by hand (one text object per page, real xref
// offsets), an XLSX written by exceljs, a DOCX zipped by jszip (the three parts Word needs), CSV/TXT/JSON, and
// a PNG the file tool must refuse.
import {mkdtempSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

/** A minimal PDF 1.4 with one page per entry of `pages`, each line drawn as text with Helvetica. */
export function makePdf(pages: string[][]): Buffer {
  const objects: string[] = []
  const pageIds = pages.map((_, i) => 4 + i * 2)
  objects[1] = '<< /Type /Catalog /Pages 2 0 R >>'
  objects[2] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pages.length} >>`
  objects[3] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'
  pages.forEach((lines, i) => {
    const escape = (s: string): string => s.replace(/[\\()]/g, (c) => `\\${c}`)
    const stream = `BT /F1 12 Tf 72 720 Td 14 TL ${lines.map((l) => `(${escape(l)}) Tj T*`).join(' ')} ET`
    objects[pageIds[i] as number] = `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents ${(pageIds[i] as number) + 1} 0 R >>`
    objects[(pageIds[i] as number) + 1] = `<< /Length ${Buffer.byteLength(stream, 'latin1')} >>\nstream\n${stream}\nendstream`
  })
  let out = '%PDF-1.4\n'
  const offsets: number[] = []
  for (let id = 1; id < objects.length; id++) {
    offsets[id] = Buffer.byteLength(out, 'latin1')
    out += `${id} 0 obj\n${objects[id]}\nendobj\n`
  }
  const xref = Buffer.byteLength(out, 'latin1')
  out += `xref\n0 ${objects.length}\n0000000000 65535 f \n${offsets.slice(1).map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`
  out += `trailer\n<< /Size ${objects.length} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`
  return Buffer.from(out, 'latin1')
}

export async function makeXlsx(sheets: Record<string, Array<Array<string | number>>>): Promise<Buffer> {
  const {default: ExcelJS} = await import('exceljs')
  const workbook = new ExcelJS.Workbook()
  for (const [name, rows] of Object.entries(sheets)) {
    const sheet = workbook.addWorksheet(name)
    for (const row of rows) sheet.addRow(row)
  }
  return Buffer.from(await workbook.xlsx.writeBuffer())
}

export async function makeDocx(paragraphs: string[]): Promise<Buffer> {
  const {default: JSZip} = await import('jszip')
  const zip = new JSZip()
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
  zip.file('[Content_Types].xml', '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
  zip.file('_rels/.rels', '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
  zip.file('word/document.xml', `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${paragraphs.map((p) => `<w:p><w:r><w:t xml:space="preserve">${esc(p)}</w:t></w:r></w:p>`).join('')}</w:body></w:document>`)
  return zip.generateAsync({type: 'nodebuffer'})
}

/** A folder with one attachment of each kind GAIA ships that the file tool reads, plus a PNG it refuses. */
export async function makeAttachmentsDir(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'ars-attachments-'))
  writeFileSync(join(dir, 'report.pdf'), makePdf([['Quarterly report', 'Revenue was 1234 dollars.'], ['Page two says the code word is heron.']]))
  writeFileSync(join(dir, 'sales.xlsx'), await makeXlsx({Sales: [['Item', 'Units', 'Price'], ['Apple', 3, 0.5], ['Pear', 7, 1.25]], Notes: [['Checked by', 'Ilse']]}))
  writeFileSync(join(dir, 'memo.docx'), await makeDocx(['Memo to staff', 'The meeting moved to Thursday.']))
  writeFileSync(join(dir, 'table.csv'), 'name,age\nAda,36\nAlan,41\n')
  writeFileSync(join(dir, 'notes.txt'), Array.from({length: 40}, (_, i) => `Line ${i + 1} of the notes, with enough words to fill a part.`).join('\n\n'))
  writeFileSync(join(dir, 'data.json'), JSON.stringify({answer: 42, tags: ['a', 'b']}))
  writeFileSync(join(dir, 'photo.png'), Buffer.from('89504e470d0a1a0a', 'hex'))
  return dir
}
