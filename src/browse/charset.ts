// Bytes → text for fetched pages: charset from BOM, then the Content-Type header, then an HTML <meta> in the
// first KiB, else UTF-8. Decoding never throws: invalid sequences become U+FFFD.

export function sniffHtmlCharset(body: Buffer): string | undefined {
  // A UTF-16 page without a BOM has a NUL beside every ASCII byte: read its <meta> in the right byte order.
  const order = utf16Order(body)
  const head = order ? new TextDecoder(order).decode(body.subarray(0, 2048)) : body.subarray(0, 1024).toString('latin1')
  const direct = /<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)/i.exec(head)
  const label = direct ? direct[1]!.toLowerCase() : undefined
  return order && label?.startsWith('utf-16') ? order : label
}

/** 'utf-16le' / 'utf-16be' when the first bytes look like ASCII text in UTF-16 (NULs at odd / even offsets). */
function utf16Order(body: Buffer): 'utf-16le' | 'utf-16be' | undefined {
  const n = Math.min(body.length, 512) & ~1
  if (n < 8) return undefined
  let oddZeros = 0
  let evenZeros = 0
  for (let i = 0; i < n; i += 2) {
    if (body[i] === 0) evenZeros++
    if (body[i + 1] === 0) oddZeros++
  }
  const pairs = n / 2
  if (oddZeros > 0.8 * pairs && evenZeros < 0.1 * pairs) return 'utf-16le'
  if (evenZeros > 0.8 * pairs && oddZeros < 0.1 * pairs) return 'utf-16be'
  return undefined
}

/**
 * The page declares UTF-16 — a BOM, `charset=utf-16…` in Content-Type, or a <meta> that says so in UTF-16 — so
 * its NUL bytes are text, not a sign of a binary file.
 */
export function declaresUtf16(body: Buffer, headerCharset: string | undefined): boolean {
  const bom = bomCharset(body)
  if (bom) return bom.startsWith('utf-16')
  if (headerCharset?.toLowerCase().startsWith('utf-16')) return true
  return sniffHtmlCharset(body)?.startsWith('utf-16') ?? false
}

function bomCharset(body: Buffer): string | undefined {
  if (body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return 'utf-8'
  if (body.length >= 2 && body[0] === 0xfe && body[1] === 0xff) return 'utf-16be'
  if (body.length >= 2 && body[0] === 0xff && body[1] === 0xfe) return 'utf-16le'
  return undefined
}

function decoderFor(label: string | undefined): TextDecoder | undefined {
  if (!label) return undefined
  try {
    return new TextDecoder(label, {fatal: false})
  } catch {
    return undefined
  }
}

/** Decode a page body; `headerCharset` is the Content-Type charset parameter; `html` enables <meta> sniffing. */
export function decodeBody(body: Buffer, headerCharset: string | undefined, html: boolean): {text: string; charset: string} {
  // "utf-16" without a BOM names no byte order; the bytes tell it.
  const header = headerCharset?.toLowerCase() === 'utf-16' ? (utf16Order(body) ?? 'utf-16le') : headerCharset
  const decoder = decoderFor(bomCharset(body)) ?? decoderFor(header) ?? (html ? decoderFor(sniffHtmlCharset(body)) : undefined) ?? new TextDecoder('utf-8', {fatal: false})
  // TextDecoder drops a matching BOM itself (ignoreBOM defaults to false).
  const text = decoder.decode(body)
  return {text: decoder.encoding === 'windows-1252' ? fixWindows1252(text) : text, charset: decoder.encoding}
}

// Node 20's TextDecoder decodes windows-1252 (also the label for latin1/iso-8859-1, per WHATWG) as ISO-8859-1,
// leaving 0x80–0x9F as C1 controls; map them to the characters browsers show (€, curly quotes, dashes…).
const CP1252_HIGH = '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178'

function fixWindows1252(text: string): string {
  return text.replace(/[\u0080-\u009f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!)
}
