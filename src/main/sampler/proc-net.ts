/**
 * /proc/net/tcp and /proc/net/tcp6: parse apart from read (STYLE.md §11).
 * Addresses are hex in the kernel's byte order: IPv4 one little-endian 32-bit word,
 * IPv6 four of them. Ports are big-endian hex.
 */
import { readFile, readdir, readlink } from 'node:fs/promises'

/** TCP states of include/net/tcp_states.h that the profiler cares about. */
export const TCP_ESTABLISHED = 0x01
export const TCP_LISTEN = 0x0a

export interface TcpSocketEntry {
  localAddress: string
  localPort: number
  remoteAddress: string
  remotePort: number
  /** Kernel state number (0x01 ESTABLISHED, 0x0A LISTEN, …). */
  state: number
  uid: number
  /** Socket inode: what /proc/PID/fd/N links to as `socket:[inode]`. */
  inode: number
  family: 4 | 6
}

export function parseProcNetTcp(text: string, family: 4 | 6): TcpSocketEntry[] {
  const out: TcpSocketEntry[] = []
  const lines = text.split('\n')
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i]!.trim().split(/\s+/)
    if (f.length < 10) continue
    const local = f[1]!.split(':')
    const remote = f[2]!.split(':')
    if (local.length !== 2 || remote.length !== 2) continue
    out.push({
      localAddress: hexToAddress(local[0]!, family),
      localPort: parseInt(local[1]!, 16),
      remoteAddress: hexToAddress(remote[0]!, family),
      remotePort: parseInt(remote[1]!, 16),
      state: parseInt(f[3]!, 16),
      uid: Number(f[7]),
      inode: Number(f[9]),
      family
    })
  }
  return out
}

/**
 * "TCP6: inuse N" of /proc/net/sockstat6: TCPv6 sockets hashed in the namespace (listening,
 * connecting, established; not TIME_WAIT, which no process owns). These are the sockets the
 * tcp6 table lists, so 0 means the table holds none of anybody's. null when the line is
 * missing or not of that form.
 */
export function parseTcp6InUse(text: string): number | null {
  const m = /^TCP6: inuse (\d+)$/m.exec(text)
  return m ? Number(m[1]) : null
}

function hexToAddress(hex: string, family: 4 | 6): string {
  const words: number[] = []
  for (let i = 0; i + 8 <= hex.length; i += 8) words.push(parseInt(hex.slice(i, i + 8), 16))
  // Each 32-bit word is stored in host (little-endian) order.
  const bytes = words.flatMap((w) => [
    w & 0xff,
    (w >>> 8) & 0xff,
    (w >>> 16) & 0xff,
    (w >>> 24) & 0xff
  ])
  if (family === 4) return bytes.join('.')
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return `::ffff:${bytes.slice(12).join('.')}`
  }
  const groups: string[] = []
  for (let i = 0; i < 16; i += 2)
    groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16))
  return compressIpv6(groups)
}

function compressIpv6(groups: string[]): string {
  let bestStart = -1
  let bestLen = 0
  for (let i = 0; i < groups.length;) {
    if (groups[i] !== '0') {
      i++
      continue
    }
    let j = i
    while (j < groups.length && groups[j] === '0') j++
    if (j - i > bestLen && j - i > 1) {
      bestStart = i
      bestLen = j - i
    }
    i = j
  }
  if (bestStart < 0) return groups.join(':')
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLen).join(':')}`
}

/** `socket:[12345]` → 12345; anything else → null. */
export function parseSocketLink(link: string): number | null {
  const m = /^socket:\[(\d+)\]$/.exec(link)
  return m ? Number(m[1]) : null
}

/** Reads the target's TCP tables from its own network namespace (/proc/PID/net). */
export async function readTcpTables(pid: number | 'self' = 'self'): Promise<TcpSocketEntry[]> {
  const [v4, v6] = await Promise.all([
    readFile(`/proc/${pid}/net/tcp`, 'utf8').catch(() => ''),
    readFile(`/proc/${pid}/net/tcp6`, 'utf8').catch(() => '')
  ])
  return [...parseProcNetTcp(v4, 4), ...parseProcNetTcp(v6, 6)]
}

/** Socket inodes held open by the process (entries of /proc/PID/fd that are sockets). */
export async function readSocketInodes(pid: number): Promise<Set<number>> {
  const dir = `/proc/${pid}/fd`
  const names = await readdir(dir)
  const inodes = new Set<number>()
  await Promise.all(
    names.map(async (n) => {
      const link = await readlink(`${dir}/${n}`).catch(() => '')
      const inode = parseSocketLink(link)
      if (inode !== null) inodes.add(inode)
    })
  )
  return inodes
}

/** What a Sample reports about sockets (DESIGN.md Sample: tcpConnections, portConnections). */
export interface ConnectionCounts {
  /** ESTABLISHED sockets, IPv4 and IPv6, whose inode the process holds. */
  tcpConnections: number
  /** Of those, the inbound ones: local port == the server's port; null when the port is unknown. */
  portConnections: number | null
}

/**
 * Counts the process's established connections. A namespace's table lists every socket in
 * it (other processes' too); only inodes the process holds an fd for are its own. An inode
 * is counted once even if it appears twice (a table read racing a new connection).
 */
export function countConnections(
  entries: readonly TcpSocketEntry[],
  ownInodes: ReadonlySet<number>,
  port: number | null
): ConnectionCounts {
  const seen = new Set<number>()
  let tcp = 0
  let onPort = 0
  for (const e of entries) {
    if (e.state !== TCP_ESTABLISHED || e.inode === 0 || !ownInodes.has(e.inode)) continue
    if (seen.has(e.inode)) continue
    seen.add(e.inode)
    tcp++
    if (port !== null && e.localPort === port) onPort++
  }
  return { tcpConnections: tcp, portConnections: port === null ? null : onPort }
}
