// The SSRF guard: refuses loopback, private, link-local, unique-local and other non-public addresses unless
// allowed. It is wired into the connection's own DNS lookup, so the address checked is the address dialled
// (no window for DNS rebinding between a check and the connect), on every redirect hop.
import {BlockList, isIP} from 'node:net'
import {lookup as dnsLookup, type LookupAddress, type LookupOptions} from 'node:dns'

const blocked = new BlockList()
// IPv4: "this" network, private, CGNAT, loopback, link-local, IETF protocol, TEST-NETs, benchmarking,
// multicast, reserved and broadcast.
for (const [net, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) blocked.addSubnet(net, prefix, 'ipv4')
// IPv6: unspecified, loopback, unique-local (fc00::/7), link-local, site-local (deprecated), multicast, documentation,
// discard-only (100::/64), Teredo (2001::/32: its client address is obfuscated IPv4, so none is let through) and
// the local-use NAT64 prefix (64:ff9b:1::/48, which embeds IPv4 at operator-chosen offsets).
for (const [net, prefix] of [
  ['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8], ['2001:db8::', 32],
  ['100::', 64], ['2001::', 32], ['64:ff9b:1::', 48],
] as const) blocked.addSubnet(net, prefix, 'ipv6')

// Link-local and cloud-metadata addresses: never reached through a redirect or an --allow-private that named
// another host; only a URL that names them as its own literal host may open them (with --allow-private).
const linkLocal = new BlockList()
linkLocal.addSubnet('169.254.0.0', 16, 'ipv4')
linkLocal.addAddress('100.100.100.200', 'ipv4') // Alibaba Cloud metadata (inside CGNAT)
linkLocal.addSubnet('fe80::', 10, 'ipv6')
linkLocal.addAddress('fd00:ec2::254', 'ipv6') // AWS IPv6 metadata (inside unique-local)

/**
 * The IPv4 address an IPv6 address carries: IPv4-mapped ::ffff:a.b.c.d, IPv4-compatible ::a.b.c.d (so ::7f00:1,
 * which `http://[::127.0.0.1]/` becomes), IPv4-translated ::ffff:0:a.b.c.d, NAT64 64:ff9b::/96 and 6to4 2002::/16.
 * Each of these can deliver a connection to that IPv4 host (dual-stack sockets, NAT64 gateways, 6to4 relays).
 */
function embeddedIpv4(address: string): string | undefined {
  const groups = expandIpv6(address.toLowerCase())
  if (!groups) return undefined
  const fromPair = (hi: number, lo: number): string => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`
  const zeros = (from: number, to: number): boolean => groups.slice(from, to).every((g) => g === 0)
  if (zeros(0, 5) && (groups[5] === 0xffff || groups[5] === 0)) return fromPair(groups[6]!, groups[7]!)
  if (zeros(0, 4) && groups[4] === 0xffff && groups[5] === 0) return fromPair(groups[6]!, groups[7]!)
  if (groups[0] === 0x64 && groups[1] === 0xff9b && zeros(2, 6)) return fromPair(groups[6]!, groups[7]!)
  if (groups[0] === 0x2002) return fromPair(groups[1]!, groups[2]!)
  return undefined
}

function expandIpv6(address: string): number[] | undefined {
  let text = address
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (v4) {
    const parts = v4[1]!.split('.').map(Number)
    text = text.slice(0, -v4[1]!.length) + `${((parts[0]! << 8) | parts[1]!).toString(16)}:${((parts[2]! << 8) | parts[3]!).toString(16)}`
  }
  const [head, tail] = text.split('::') as [string, string | undefined]
  const a = head ? head.split(':') : []
  const b = tail === undefined ? [] : tail ? tail.split(':') : []
  const missing = 8 - a.length - b.length
  if (tail === undefined ? a.length !== 8 : missing < 0) return undefined
  const all = [...a, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...b].map((g) => parseInt(g, 16))
  return all.length === 8 && all.every((g) => Number.isFinite(g)) ? all : undefined
}

function bareAddress(address: string): {bare: string; family: number} {
  const bare = address.replace(/^\[|\]$/g, '').replace(/%.*$/, '')
  return {bare, family: isIP(bare)}
}

/** True for any address a public web page should never resolve to. */
export function isPrivateAddress(address: string): boolean {
  const {bare, family} = bareAddress(address)
  if (family === 4) return blocked.check(bare, 'ipv4')
  if (family === 6) {
    if (blocked.check(bare, 'ipv6')) return true
    const v4 = embeddedIpv4(bare)
    return v4 !== undefined && blocked.check(v4, 'ipv4')
  }
  return false
}

/** True for link-local and cloud-metadata addresses (169.254.0.0/16, fe80::/10, and IPv6 forms embedding them). */
export function isLinkLocalAddress(address: string): boolean {
  const {bare, family} = bareAddress(address)
  if (family === 4) return linkLocal.check(bare, 'ipv4')
  if (family === 6) {
    if (linkLocal.check(bare, 'ipv6')) return true
    const v4 = embeddedIpv4(bare)
    return v4 !== undefined && linkLocal.check(v4, 'ipv4')
  }
  return false
}

/** The error a guarded lookup raises; the fetcher turns it into a `blocked-address` ReadError. */
export class BlockedAddressError extends Error {
  readonly code = 'EBLOCKED'
  readonly host: string
  readonly address: string

  constructor(host: string, address: string) {
    super(`${host} resolves to ${address}, a loopback/private/link-local address`)
    this.name = 'BlockedAddressError'
    this.host = host
    this.address = address
  }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void
/** dns.lookup called with `all: true`. */
export type ResolveFunction = (hostname: string, options: LookupOptions & {all: true}, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void
export type LookupFunction = (hostname: string, options: LookupOptions, callback: LookupCallback) => void

/**
 * A `lookup` for http.request/net.connect that resolves with dns.lookup and refuses the connection when any
 * resolved address is private (all of them are checked, so a name cannot hide a private address behind a
 * public one).
 */
export function guardedLookup(resolve: ResolveFunction = dnsLookup as ResolveFunction, isBlocked: (address: string) => boolean = isPrivateAddress): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, {...options, all: true}, (error, addresses) => {
      if (error) return callback(error, [])
      const list = addresses as LookupAddress[]
      const bad = list.find((a) => isBlocked(a.address))
      if (bad) return callback(new BlockedAddressError(hostname, bad.address) as unknown as NodeJS.ErrnoException, [])
      if (list.length === 0) return callback(Object.assign(new Error(`${hostname}: no addresses`), {code: 'ENOTFOUND'}), [])
      if (options.all) return callback(null, list)
      callback(null, list[0]!.address, list[0]!.family)
    })
  }
}

/** Host literals bypass lookup in net.connect, so IP-literal URLs are checked here before connecting. */
export function literalAddress(hostname: string): string | undefined {
  const bare = hostname.replace(/^\[|\]$/g, '')
  return isIP(bare) ? bare : undefined
}
