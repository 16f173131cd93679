/**
 * Finds local KalamDB servers (CLI `targets`, the app's target list, `run --pid auto`):
 * processes named kalamdb-server, and processes with a listening TCP port whose
 * `GET /health` answers like KalamDB (PROTOCOL.md §1–2). A server usually listens on HTTP
 * (8080) and Raft (9188); the HTTP port is the one whose /health answers.
 *
 * Listening sockets come from /proc, not from a tool: socket inodes of /proc/PID/fd matched
 * against LISTEN entries of /proc/PID/net/tcp{,6}. Health probes run in parallel with a
 * short deadline, so discovery takes well under a second.
 */
import { readlink } from 'node:fs/promises'
import type { Target } from '../../shared/api'
import { readTcpTables } from '../sampler/proc-net'
import { HEALTH_TIMEOUT_MS, probeKalamHealth, type KalamHealth } from './discovery-health'
import {
  KALAMDB_PROCESS_NAME,
  ListenerTables,
  baseUrlFor,
  commandLine,
  isNamedKalamDb,
  listPids,
  listeningByInode,
  probeHost,
  readProcessInfo,
  readRssBytes,
  socketInodesOf,
  socketsOf,
  type ListeningSocket,
  type ProcessInfo
} from './discovery-proc'

export interface DiscoverOptions {
  /** Every process with a listening TCP port, not only KalamDB servers. */
  all?: boolean
  /** Deadline of each health probe (default HEALTH_TIMEOUT_MS). */
  timeoutMs?: number
}

export interface Discovery {
  /** KalamDB servers first (those whose health answered, then those only named so), then by pid. */
  targets: Target[]
  /**
   * Processes whose /proc/PID/fd could not be read (other users' processes when not root):
   * their listening ports, and so whether they are KalamDB, are unknown.
   */
  uninspectable: number
  /** Pids of uninspectable processes named kalamdb-server. */
  uninspectableKalamDb: number[]
}

interface Inspected {
  info: ProcessInfo
  sockets: ListeningSocket[]
}

/** Upper bound of processes inspected at once (each costs a few reads and readlinks). */
const PROCESS_CONCURRENCY = 32

export async function discoverTargets(options: DiscoverOptions = {}): Promise<Target[]> {
  return (await discover(options)).targets
}

/** discoverTargets with what could not be inspected, for the CLI's note. */
export async function discover(options: DiscoverOptions = {}): Promise<Discovery> {
  const all = options.all ?? false
  const selfNetns = await readlink('/proc/self/ns/net').catch(() => null)
  const tables = new ListenerTables()
  let uninspectable = 0
  const uninspectableKalamDb: number[] = []

  const inspected = await mapLimit(await listPids(), PROCESS_CONCURRENCY, async (pid) => {
    const p = await inspect(pid, tables, { rss: false })
    if (p === null) return null
    if (p.sockets === 'denied') {
      uninspectable++
      if (isNamedKalamDb(p.info)) uninspectableKalamDb.push(pid)
      return null
    }
    if (p.sockets.length === 0 && !isNamedKalamDb(p.info)) return null
    return { info: p.info, sockets: p.sockets } satisfies Inspected
  })
  const processes = inspected.filter((p): p is Inspected => p !== null)
  await Promise.all(processes.map(async (p) => (p.info.rssBytes = await readRssBytes(p.info.pid))))

  const health = await probeAll(processes, selfNetns, options.timeoutMs ?? HEALTH_TIMEOUT_MS)
  const targets: Target[] = []
  for (const p of processes) {
    const target = toTarget(p, health)
    const named = isNamedKalamDb(p.info)
    if (all ? target.listeningPorts.length > 0 || named : target.isKalamDb || named) {
      targets.push(target)
    }
  }
  targets.sort(
    (a, b) =>
      Number(b.isKalamDb) - Number(a.isKalamDb) ||
      Number(b.name === KALAMDB_PROCESS_NAME) - Number(a.name === KALAMDB_PROCESS_NAME) ||
      a.pid - b.pid
  )
  return {
    targets,
    uninspectable,
    uninspectableKalamDb: uninspectableKalamDb.sort((a, b) => a - b)
  }
}

/**
 * One process as `targets --all` would list it (its listening ports, and the HTTP port whose
 * /health answers like KalamDB), or null when it is gone, a kernel thread, or its
 * /proc/PID/fd may not be read. For `sample --pid N` without `--port`.
 */
export async function discoverPid(
  pid: number,
  timeoutMs = HEALTH_TIMEOUT_MS
): Promise<Target | null> {
  const p = await inspect(pid, new ListenerTables(), { rss: true })
  if (p === null || p.sockets === 'denied') return null
  const found: Inspected = { info: p.info, sockets: p.sockets }
  const selfNetns = await readlink('/proc/self/ns/net').catch(() => null)
  return toTarget(found, await probeAll([found], selfNetns, timeoutMs))
}

/**
 * A process and its listening sockets ('denied' when its /proc/PID/fd may not be read), or
 * null when it is gone or a kernel thread.
 */
async function inspect(
  pid: number,
  tables: ListenerTables,
  options: { rss: boolean }
): Promise<{ info: ProcessInfo; sockets: ListeningSocket[] | 'denied' } | null> {
  const info = await readProcessInfo(pid, options)
  if (info === null || info.argv.length === 0) return null
  const inodes = await socketInodesOf(pid)
  if (inodes === null) return null
  if (inodes === 'denied') return { info, sockets: 'denied' }
  const sockets = inodes.size === 0 ? [] : socketsOf(inodes, await tables.get(pid, info.netns))
  return { info, sockets }
}

interface PortHealth {
  host: string
  health: KalamHealth | null
}

/**
 * Probes every listening port reachable from here, once per port. Processes in another
 * network namespace (containers) are skipped: their ports are not ours to reach.
 */
async function probeAll(
  processes: Inspected[],
  selfNetns: string | null,
  timeoutMs: number
): Promise<Map<number, PortHealth>> {
  const wanted = new Map<number, { sockets: ListeningSocket[]; lenient: boolean }>()
  for (const p of processes) {
    if (p.info.netns !== null && selfNetns !== null && p.info.netns !== selfNetns) continue
    const lenient = isNamedKalamDb(p.info)
    for (const s of p.sockets) {
      const entry = wanted.get(s.port) ?? { sockets: [], lenient: false }
      entry.sockets.push(s)
      entry.lenient ||= lenient
      wanted.set(s.port, entry)
    }
  }
  const out = new Map<number, PortHealth>()
  await Promise.all(
    [...wanted].map(async ([port, w]) => {
      const host = probeHost(w.sockets)
      const health = await probeKalamHealth(host, port, { lenient: w.lenient, timeoutMs })
      out.set(port, { host, health })
    })
  )
  return out
}

function toTarget(p: Inspected, health: Map<number, PortHealth>): Target {
  const ports = [...new Set(p.sockets.map((s) => s.port))].sort((a, b) => a - b)
  // An answer from loopback (with a version) beats a 403 "localhost-only" one.
  const answered = ports
    .map((port) => ({ port, h: health.get(port) }))
    .filter((x) => x.h?.health != null)
    .sort((a, b) => Number(a.h!.health!.localhostOnly) - Number(b.h!.health!.localhostOnly))
  const http = answered[0]
  return {
    pid: p.info.pid,
    name: isNamedKalamDb(p.info) ? KALAMDB_PROCESS_NAME : p.info.comm,
    command: commandLine(p.info),
    listeningPorts: ports,
    isKalamDb: http !== undefined,
    httpPort: http?.port ?? null,
    baseUrl: http ? baseUrlFor(http.h!.host, http.port) : null,
    version: http?.h!.health!.version ?? null,
    rssBytes: p.info.rssBytes
  }
}

/**
 * The process listening on a TCP port of this network namespace (for `run --pid auto`);
 * null when none, or when its owner's /proc/PID/fd is not readable. When several processes
 * share the socket (a forking server), the lowest pid — usually the parent — wins.
 */
export async function findPidListeningOn(port: number): Promise<number | null> {
  const listening = listeningByInode(await readTcpTables('self'))
  const wanted = new Set<number>()
  for (const [inode, s] of listening) if (s.port === port) wanted.add(inode)
  if (wanted.size === 0) return null
  const holders = await mapLimit(await listPids(), PROCESS_CONCURRENCY, async (pid) => {
    const inodes = await socketInodesOf(pid)
    if (inodes === null || inodes === 'denied') return null
    for (const inode of inodes) if (wanted.has(inode)) return pid
    return null
  })
  const pids = holders.filter((p): p is number => p !== null)
  return pids.length > 0 ? Math.min(...pids) : null
}

/** Promise.all with at most `limit` calls in flight; results keep the input order. */
async function mapLimit<T, R>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<R>
): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i]!)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return out
}
