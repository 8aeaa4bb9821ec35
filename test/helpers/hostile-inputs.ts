// The hostile inputs of the reliability campaign, shared by its suite and the regression tests: SSRF address
// spellings, hostile HTML pages, and a malformed-line generator for JSONL records.
import type {ServerResponse} from 'node:http'
import {Rng} from '../../src/core/rng.js'

/** Every spelling of a loopback, private or link-local target (port: a loopback server's, for the loopback ones). */
export const hostileTargets = (port: number): string[] => [
  'http://169.254.169.254/latest/meta-data/',
  'http://[fe80::1]/',
  'http://10.0.0.1/',
  'http://192.168.1.1/',
  `http://localhost:${port}/secret`,
  `http://127.0.0.2:${port}/secret`,
  `http://0x7f.1:${port}/secret`,
  `http://2130706433:${port}/secret`,
  `http://017700000001:${port}/secret`,
  `http://127.1:${port}/secret`,
  `http://[::1]:${port}/secret`,
  `http://[::127.0.0.1]:${port}/secret`,
  `http://[::7f00:1]:${port}/secret`,
  `http://[::ffff:127.0.0.1]:${port}/secret`,
  `http://[::ffff:7f00:1]:${port}/secret`,
  `http://[::ffff:0:7f00:1]:${port}/secret`,
  `http://[::ffff:0:127.0.0.1]:${port}/secret`,
  `http://[0:0:0:0:0:ffff:7f00:1]:${port}/secret`,
  `http://[64:ff9b::7f00:1]:${port}/secret`,
  `http://[64:ff9b::10.0.0.1]/`,
  `http://[64:ff9b:1::a00:1]/`,
  `http://[2002:7f00:1::]:${port}/secret`,
  `http://[2002:a9fe:a9fe::1]/`,
  `http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/`,
  `http://[::ffff:169.254.169.254]/`,
  `http://[::a9fe:a9fe]/`,
  `http://[fd00:ec2::254]/`,
  `http://0.0.0.0:${port}/secret`,
  `http://[::]:${port}/secret`,
  `http://100.100.100.200/`,
  `http://[fc00::1]/`,
  `http://[::ffff:a9fe:a9fe]/`,
]

const nested = (tag: string, n: number, inner = 'deep text'): string => `<html><head><title>Deep</title></head><body>${`<${tag}>`.repeat(n)}${inner}${`</${tag}>`.repeat(n)}</body></html>`

/** Streams `block` until the client goes away. */
function endless(res: ServerResponse, head: string, block: string): void {
  res.writeHead(200, {'content-type': 'text/html'})
  res.write(head)
  const pump = (): void => {
    while (res.write(block));
  }
  res.on('drain', pump)
  res.on('close', () => res.removeAllListeners('drain'))
  pump()
}

/** Hostile pages by path: each must give a page or a clear ReadError within the reader's budget. */
export const hostilePages: Record<string, (res: ServerResponse) => void> = {
  '/nested-divs-5k': (res) => res.writeHead(200, {'content-type': 'text/html'}).end(nested('div', 5000)),
  '/nested-divs-100k': (res) => res.writeHead(200, {'content-type': 'text/html'}).end(nested('div', 100_000)),
  '/nested-tables-3k': (res) => res.writeHead(200, {'content-type': 'text/html'}).end(nested('table><tr><td', 3000).replace(/<\/table><tr><td>/g, '</td></tr></table>')),
  '/nested-spans-50k': (res) => res.writeHead(200, {'content-type': 'text/html'}).end(nested('span', 50_000)),
  '/flood-p': (res) => endless(res, '<html><body>', '<p>a'.repeat(10_000)),
  '/flood-links': (res) => endless(res, '<html><body>', Array.from({length: 1000}, (_, i) => `<a href="/l${i}">l${i}</a>`).join('')),
  '/one-huge-text-node': (res) => res.writeHead(200, {'content-type': 'text/html'}).end(`<html><body><p>${'word '.repeat(1_000_000)}</p></body></html>`),
  '/unclosed-comment': (res) => res.writeHead(200, {'content-type': 'text/html'}).end(`<html><body><p>before</p><!--${'x'.repeat(4_000_000)}`),
  '/attribute-storm': (res) => res.writeHead(200, {'content-type': 'text/html'}).end(`<html><body><div ${Array.from({length: 100_000}, (_, i) => `a${i}="v"`).join(' ')}>text</div></body></html>`),
  '/huge-script': (res) => res.writeHead(200, {'content-type': 'text/html'}).end(`<html><body><script>${'var a=1;'.repeat(500_000)}</script><p>after the script</p></body></html>`),
  '/slow-drip': (res) => {
    res.writeHead(200, {'content-type': 'text/html'})
    const timer = setInterval(() => res.write('<p>drip</p>'), 100)
    res.on('close', () => clearInterval(timer))
  },
  '/unclosed-tags-mix': (res) => endless(res, '<html><body>', '<li><b><i><u><table><td>x'.repeat(2000)),
}

const deep = (levels: number): string => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`

/** One malformed variant of the valid record line `line`, chosen by `rng` (index says which family). */
export function malformLine(line: string, rng: Rng, family: number): string | Buffer {
  const value = JSON.parse(line) as Record<string, unknown>
  const keys = Object.keys(value).filter((k) => k !== 'type' && k !== 'version')
  const key = keys[rng.int(keys.length)]!
  switch (family % 12) {
    case 0: return line.slice(0, 1 + rng.int(line.length - 2)) // truncated
    case 1: { // wrong type
      const v = value[key]
      value[key] = typeof v === 'string' ? 42 : typeof v === 'number' ? 'zero' : Array.isArray(v) ? {} : v === null ? [] : typeof v === 'object' ? [] : 'x'
      return JSON.stringify(value)
    }
    case 2: { // missing field
      delete value[key]
      return JSON.stringify(value)
    }
    case 3: return JSON.stringify({...value, zzz_unknown: 1})
    case 4: return line.replace(/}$/, `,"meta_deep":${deep(600 + rng.int(5000))}}`)
    case 5: return Buffer.from(Array.from({length: 20 + rng.int(200)}, () => rng.int(256)).map((b, i) => (i === 3 ? 0 : b)))
    case 6: return Buffer.concat([Buffer.from(line.slice(0, 20)), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from(line.slice(20))])
    case 7: return ['[1,2]', '"just a string"', 'null', '42', 'true', '{}'][rng.int(6)]!
    case 8: return `${line}${line}` // two records on one line
    case 9: return line.replace(/:/, ':1e999999,"x":') // Infinity and junk
    case 10: return JSON.stringify({...value, version: 99})
    default: return `{"type":${JSON.stringify(value.type)}, "version": 1, ${'"k": 1, '.repeat(1 + rng.int(3))}` // unterminated object
  }
}
