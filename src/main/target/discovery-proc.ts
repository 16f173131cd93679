/**
 * What discovery reads of each process in /proc: its name, command line, RSS, network
 * namespace and listening TCP sockets. Pure helpers apart from the reads (STYLE.md §11).
 */
import { readFile, readdir, readlink } from 'node:fs/promises'
import { basename } from 'node:path'
import {
  TCP_LISTEN,
  parseSocketLink,
  readTcpTables,
  type TcpSocketEntry
} from '../sampler/proc-net'

/** The binary's name (PROTOCOL.md §1; 14 characters, so /proc/PID/comm is not truncated). */
export const KALAMDB_PROCESS_NAME = 'kalamdb-server'

export interface ProcessInfo {
  pid: number
  /** /proc/PID/comm. */
  comm: string
  /** Arguments of /proc/PID/cmdline (empty for kernel threads). */
  argv: string[]
  rssBytes: number | null
  /** `net:[inode]` of /proc/PID/ns/net; null when unreadable. */
  netns: string | null
}

export interface ListeningSocket {
  port: number
  address: string
  family: 4 | 6
}

/** Every numeric entry of /proc, ascending. */
export async function listPids(): Promise<number[]> {
  const names = await readdir('/proc')
  const pids: number[] = []
  for (const n of names) {
    if (n.charCodeAt(0) >= 48 && n.charCodeAt(0) <= 57 && /^\d+$/.test(n)) pids.push(Number(n))
  }
  return pids.sort((a, b) => a - b)
}

/**
 * Name, command line and namespace of a process; null when it is gone. RSS only when asked:
 * discovery reads it for the few processes it lists, not for every process on the machine.
 */
export async function readProcessInfo(
  pid: number,
  options: { rss?: boolean } = {}
): Promise<ProcessInfo | null> {
  const [comm, cmdline, netns, rssBytes] = await Promise.all([
    readFile(`/proc/${pid}/comm`, 'utf8').catch(() => null),
    readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => ''),
    readlink(`/proc/${pid}/ns/net`).catch(() => null),
    options.rss === false ? null : readRssBytes(pid)
  ])
  if (comm === null) return null
  return { pid, comm: comm.replace(/\n$/, ''), argv: parseCmdline(cmdline), rssBytes, netns }
}

/** VmRSS of a process in bytes; null when gone or a kernel thread. */
export async function readRssBytes(pid: number): Promise<number | null> {
  return readFile(`/proc/${pid}/status`, 'utf8')
    .then(vmRssBytes)
    .catch(() => null)
}

/**
 * NUL-separated arguments. A process that rewrote its title (Node's `process.title`) leaves
 * one argument followed by NUL padding; the padding is not arguments.
 */
export function parseCmdline(text: string): string[] {
  return text.split('\0').filter((a) => a !== '')
}

/** VmRSS of a /proc/PID/status text, in bytes; null for kernel threads and zombies. */
export function vmRssBytes(status: string): number | null {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(status)
  return m ? Number(m[1]) * 1024 : null
}

/**
 * Whether the process calls itself kalamdb-server: by comm, or by the basename of argv[0]
 * (a title rewritten in place changes cmdline and not always comm).
 */
export function isNamedKalamDb(info: Pick<ProcessInfo, 'comm' | 'argv'>): boolean {
  if (info.comm === KALAMDB_PROCESS_NAME) return true
  const argv0 = info.argv[0]
  if (argv0 === undefined) return false
  // A rewritten title may hold the whole command line in argv[0].
  const first = argv0.split(' ')[0] ?? ''
  return basename(argv0) === KALAMDB_PROCESS_NAME || basename(first) === KALAMDB_PROCESS_NAME
}

/** The command line as one string; `[comm]` for kernel threads, like ps. */
export function commandLine(info: Pick<ProcessInfo, 'comm' | 'argv'>): string {
  return info.argv.length > 0 ? info.argv.join(' ') : `[${info.comm}]`
}

/** Listening sockets by inode, from TCP tables (pure). */
export function listeningByInode(entries: TcpSocketEntry[]): Map<number, ListeningSocket> {
  const out = new Map<number, ListeningSocket>()
  for (const e of entries) {
    if (e.state !== TCP_LISTEN || e.inode === 0) continue
    out.set(e.inode, { port: e.localPort, address: e.localAddress, family: e.family })
  }
  return out
}

/** The listening sockets a process holds, given its socket inodes (pure). */
export function socketsOf(
  inodes: Set<number>,
  listening: Map<number, ListeningSocket>
): ListeningSocket[] {
  const out: ListeningSocket[] = []
  for (const inode of inodes) {
    const s = listening.get(inode)
    if (s) out.push(s)
  }
  return out.sort((a, b) => a.port - b.port || a.family - b.family)
}

/**
 * The address to reach a listener from this machine: loopback for wildcard and loopback
 * binds (KalamDB answers /health only to loopback peers), else the bound address itself.
 */
export function probeHost(sockets: ListeningSocket[]): string {
  const isLoopback4 = (a: string): boolean => a === '0.0.0.0' || a.startsWith('127.')
  if (sockets.some((s) => s.family === 4 && isLoopback4(s.address))) return '127.0.0.1'
  if (sockets.some((s) => s.address.startsWith('::ffff:127.'))) return '127.0.0.1'
  if (sockets.some((s) => s.family === 6 && (s.address === '::' || s.address === '::1')))
    return '::1'
  return sockets[0]?.address.replace(/^::ffff:/, '') ?? '127.0.0.1'
}

/** `http://host:port`, with IPv6 literals in brackets. */
export function baseUrlFor(host: string, port: number): string {
  return host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`
}

/**
 * Reads TCP tables once per network namespace: every process of a namespace sees the same
 * /proc/PID/net/tcp, so reading it per process would multiply the cost by the process count.
 */
export class ListenerTables {
  private readonly byNetns = new Map<string, Promise<Map<number, ListeningSocket>>>()

  get(pid: number, netns: string | null): Promise<Map<number, ListeningSocket>> {
    const key = netns ?? `pid:${pid}`
    let tables = this.byNetns.get(key)
    if (!tables) {
      tables = readTcpTables(pid).then(listeningByInode)
      this.byNetns.set(key, tables)
    }
    return tables
  }
}

/**
 * Socket inodes of a process; 'denied' when its fd table may not be read (another user's
 * process: the directory may list while every link refuses, so a refusal of any link counts);
 * null when the process is gone.
 */
export async function socketInodesOf(pid: number): Promise<Set<number> | 'denied' | null> {
  const dir = `/proc/${pid}/fd`
  let names: string[]
  try {
    names = await readdir(dir)
  } catch (e) {
    return isDenied(e) ? 'denied' : null
  }
  const inodes = new Set<number>()
  let denied = false
  await Promise.all(
    names.map(async (n) => {
      try {
        const inode = parseSocketLink(await readlink(`${dir}/${n}`))
        if (inode !== null) inodes.add(inode)
      } catch (e) {
        // An fd closed between readdir and readlink is normal; a refusal is not.
        if (isDenied(e)) denied = true
      }
    })
  )
  return denied ? 'denied' : inodes
}

function isDenied(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | null)?.code
  return code === 'EACCES' || code === 'EPERM'
}
