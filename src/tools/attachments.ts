// The `file` tool's reader: a question's attached file (GAIA's file_name) from the `--attachments` folder, as
// text the agent reads part by part like a page. PDF through pdfjs-dist (text layer only), XLSX through exceljs
// (every sheet, cell values as displayed), DOCX through mammoth (raw text), and text-like files (TXT, MD, CSV,
// TSV, JSON, JSONL, JSON-LD, XML, HTML, Python, PDB) decoded as UTF-8. Images, audio, video, archives and
// slides are refused with the reason, so `ars eval` can say which questions cannot be attempted.
import {realpathSync, statSync, readFileSync} from 'node:fs'
import {basename, extname, join, sep} from 'node:path'

export const READABLE_EXTENSIONS = ['.pdf', '.xlsx', '.docx', '.txt', '.md', '.csv', '.tsv', '.json', '.jsonl', '.jsonld', '.xml', '.html', '.htm', '.py', '.pdb'] as const

const UNREADABLE: ReadonlyArray<[RegExp, string]> = [
  [/^\.(png|jpe?g|gif|bmp|webp|tiff?|svg|heic)$/, 'an image (text in images is out of scope)'],
  [/^\.(mp3|wav|m4a|flac|ogg|aac)$/, 'audio'],
  [/^\.(mp4|mov|avi|mkv|webm|mpe?g)$/, 'video'],
  [/^\.(zip|gz|tgz|tar|7z|rar|bz2|xz)$/, 'an archive'],
  [/^\.(pptx?|key|odp)$/, 'a slide deck'],
  [/^\.(xls|doc|ods|odt|rtf)$/, 'an old or OpenDocument office format (only .xlsx and .docx are read)'],
]

/** Why the file tool cannot read `fileName` (undefined when it can). */
export function unreadableReason(fileName: string): string | undefined {
  const ext = extname(fileName).toLowerCase()
  if ((READABLE_EXTENSIONS as readonly string[]).includes(ext)) return undefined
  for (const [pattern, what] of UNREADABLE) if (pattern.test(ext)) return `${ext} is ${what}`
  return `${ext || 'a file without an extension'} is not a format the file tool reads (${READABLE_EXTENSIONS.join(' ')})`
}

/** The attachment names a question carries: meta.file_name (GAIA) and meta.attachments (a list). */
export function attachmentsOf(question: {meta?: Record<string, unknown> | undefined}): string[] {
  const meta = question.meta ?? {}
  const names = [meta.file_name, ...(Array.isArray(meta.attachments) ? meta.attachments : [])]
  return [...new Set(names.filter((n): n is string => typeof n === 'string' && n.trim() !== '').map((n) => n.trim()))]
}

export interface AttachmentReaderOptions {
  /** Folder holding the attachments (GAIA: the split's folder, beside metadata.jsonl). */
  dir: string
  /** Largest file read (default 50 MB). */
  maxBytes?: number
}

export interface AttachmentText {
  name: string
  text: string
}

export class AttachmentReader {
  readonly dir: string
  readonly maxBytes: number

  constructor(options: AttachmentReaderOptions) {
    this.dir = options.dir
    this.maxBytes = options.maxBytes ?? 50 * 1024 * 1024
    let st
    try {
      st = statSync(this.dir)
    } catch {
      st = undefined
    }
    if (!st?.isDirectory()) throw new Error(`attachments folder ${this.dir} does not exist or is not a folder`)
  }

  /** The path of an attachment, or an Error for the model when it is missing or outside the folder. */
  path(name: string): string {
    if (name !== basename(name) || name === '.' || name === '..' || name.includes('\\')) throw new Error(`"${name}" is not a file name (give the name only, without folders)`)
    const root = realpathSync(this.dir)
    let real: string
    try {
      real = realpathSync(join(this.dir, name))
    } catch {
      throw new Error(`there is no file "${name}" among the attachments`)
    }
    if (!real.startsWith(root + sep)) throw new Error(`"${name}" is outside the attachments folder`)
    return real
  }

  /** Text of an attachment; `allowed` lists the names this question may open. */
  async read(name: string, allowed: readonly string[]): Promise<AttachmentText> {
    const clean = name.trim()
    if (!allowed.includes(clean)) {
      throw new Error(allowed.length ? `"${clean}" is not attached to this question; its attachment${allowed.length > 1 ? 's are' : ' is'} ${allowed.map((a) => `"${a}"`).join(', ')}` : 'this question has no attached file')
    }
    const why = unreadableReason(clean)
    if (why) throw new Error(`cannot read "${clean}": ${why}`)
    const path = this.path(clean)
    const size = statSync(path).size
    if (size > this.maxBytes) throw new Error(`"${clean}" is ${size} bytes; the file tool reads at most ${this.maxBytes}`)
    const bytes = readFileSync(path)
    const ext = extname(clean).toLowerCase()
    const text = ext === '.pdf' ? await pdfText(bytes) : ext === '.xlsx' ? await xlsxText(bytes) : ext === '.docx' ? await docxText(bytes) : new TextDecoder('utf-8').decode(bytes)
    return {name: clean, text: text.replace(/\r\n?/g, '\n')}
  }
}

async function pdfText(bytes: Buffer): Promise<string> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs')
  const doc = await pdfjs.getDocument({data: new Uint8Array(bytes), isEvalSupported: false, disableFontFace: true, useSystemFonts: false, verbosity: 0}).promise
  try {
    const pages: string[] = []
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n)
      const content = await page.getTextContent()
      let text = ''
      for (const item of content.items) {
        if (!('str' in item)) continue
        text += item.str + (item.hasEOL ? '\n' : '')
      }
      pages.push(`[Page ${n} of ${doc.numPages}]\n${text.trim()}`)
      page.cleanup()
    }
    return pages.join('\n\n')
  } finally {
    await doc.destroy()
  }
}

/** Rows in blocks of this many, so page-sized parts end between rows. */
const ROWS_PER_BLOCK = 10

async function xlsxText(bytes: Buffer): Promise<string> {
  const {default: ExcelJS} = await import('exceljs')
  const workbook = new ExcelJS.Workbook()
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer)
  const sheets: string[] = []
  workbook.eachSheet((sheet) => {
    const lines: string[] = []
    sheet.eachRow({includeEmpty: false}, (row, rowNumber) => {
      const cells: string[] = []
      for (let c = 1; c <= row.cellCount; c++) cells.push(row.getCell(c).text.replace(/\s+/g, ' ').trim())
      while (cells.length && cells.at(-1) === '') cells.pop()
      lines.push(`${rowNumber}: ${cells.join(' | ')}`)
    })
    const blocks: string[] = []
    for (let i = 0; i < lines.length; i += ROWS_PER_BLOCK) blocks.push(lines.slice(i, i + ROWS_PER_BLOCK).join('\n'))
    sheets.push([`Sheet "${sheet.name}" (${sheet.actualRowCount} rows, ${sheet.actualColumnCount} columns; each line is row: A | B | C …)`, ...blocks].join('\n\n'))
  })
  return sheets.join('\n\n')
}

async function docxText(bytes: Buffer): Promise<string> {
  const mammoth = await import('mammoth')
  const result = await (mammoth.default ?? mammoth).extractRawText({buffer: bytes})
  return result.value
}
