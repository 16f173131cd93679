/**
 * The server's memory as bench sees it. From /proc/PID/status (RssAnon: the allocator's heap;
 * cheap) when the server's process is on this machine, else from its own system.stats (RSS;
 * each poll costs KalamDB an `lsof`, so at most every 2 s). Two uses: a watch over the whole
 * run against the rows acknowledged (context for the reader), and the levels the
 * memory-retention benchmark reads between its bursts.
 */
import { readFile } from 'node:fs/promises'
import type { BenchMemory } from '../../shared/bench'
import { binnedFit } from '../compare/trend'
import { median, thin } from '../compare/stats'
import { parseStatus } from '../sampler/proc-status'
import type { KalamClient } from '../target/types'
import { sleep } from '../workload/clock'
import { isLoopbackUrl } from '../workload/guard'

const PROC_INTERVAL_MS = 200
/** system.stats polls: never faster (workload/stats-poller.ts MIN_STATS_INTERVAL_MS). */
const SERVER_INTERVAL_MS = 2000
const MAX_POINTS = 2000
/** Rows acknowledged before a slope per row means anything. */
const MIN_ROWS = 100

export interface MemoryReader {
  source: BenchMemory['source']
  field: BenchMemory['field']
  pid: number | null
  /** Shortest sensible gap between reads. */
  intervalMs: number
  read(): Promise<number | null>
}

/**
 * The server's pid: the one given, or (loopback, Linux) the process listening on the URL's
 * port — when it is a KalamDB server by name. A port forwarded into a container is held by a
 * proxy (docker-proxy), whose memory is not the server's: then null, and the server's own
 * figures are used instead.
 */
export async function resolveServerPid(
  url: string,
  pid: number | 'auto' | null
): Promise<number | null> {
  if (typeof pid === 'number') return pid
  if (pid === null || !isLoopbackUrl(url) || process.platform !== 'linux') return null
  const u = new URL(url)
  const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80))
  const { findPidListeningOn } = await import('../target/discovery')
  const found = await findPidListeningOn(port).catch(() => null)
  if (found === null) return null
  const comm = await readFile(`/proc/${found}/comm`, 'utf8').catch(() => '')
  const cmdline = await readFile(`/proc/${found}/cmdline`, 'utf8').catch(() => '')
  const argv0 = cmdline.split('\0')[0]?.split('/').pop() ?? ''
  return /kalamdb/i.test(comm) || /kalamdb/i.test(argv0) ? found : null
}

/** A reader of the server's memory, or null when neither /proc nor system.stats gives it. */
export async function memoryReader(
  pid: number | null,
  client: Pick<KalamClient, 'stats'>
): Promise<MemoryReader | null> {
  if (pid !== null) {
    const proc = async (): Promise<number | null> => {
      try {
        const st = parseStatus(await readFile(`/proc/${pid}/status`, 'utf8'))
        return st.rssAnonBytes ?? st.vmRssBytes
      } catch {
        return null
      }
    }
    if ((await proc()) !== null) {
      return { source: 'proc', field: 'heapBytes', pid, intervalMs: PROC_INTERVAL_MS, read: proc }
    }
  }
  const server = async (): Promise<number | null> => {
    const s = await client.stats(['memory_rss_bytes', 'memory_usage_bytes']).catch(() => null)
    return s?.rssBytes ?? s?.memoryBytes ?? null
  }
  if ((await server()) === null) return null
  return {
    source: 'server',
    field: 'rssBytes',
    pid: null,
    intervalMs: SERVER_INTERVAL_MS,
    read: server
  }
}

export interface MemoryWatch {
  /** Stops and fits; null when too few rows were inserted. */
  stop(): Promise<BenchMemory | null>
}

export function watchMemory(
  reader: MemoryReader,
  rows: () => number,
  signal: AbortSignal
): MemoryWatch {
  const points: { t: number; rows: number; bytes: number }[] = []
  const ctl = new AbortController()
  const stopOnAbort = (): void => ctl.abort()
  signal.addEventListener('abort', stopOnAbort, { once: true })
  const loop = (async () => {
    while (!ctl.signal.aborted) {
      const r = rows()
      const bytes = await reader.read()
      if (bytes !== null) points.push({ t: Date.now(), rows: r, bytes })
      await sleep(reader.intervalMs, ctl.signal)
    }
  })()
  let stopped: Promise<BenchMemory | null> | null = null
  return {
    stop() {
      stopped ??= (async () => {
        ctl.abort()
        await loop
        signal.removeEventListener('abort', stopOnAbort)
        const n = points.length > 0 ? points[points.length - 1]!.rows - points[0]!.rows : 0
        if (points.length < 4 || n < MIN_ROWS) return null
        const fit = binnedFit(points.map((p) => ({ x: p.rows, y: p.bytes })))
        if (!fit) return null
        const level = (ps: typeof points): number => median(ps.map((p) => p.bytes))
        return {
          source: reader.source,
          field: reader.field,
          pid: reader.pid,
          points: thinPoints(points),
          baselineBytes: level(points.slice(0, 3)),
          finalBytes: level(points.slice(-3)),
          rows: n,
          bytesPerRow: fit.slope,
          bytesPerRowCi95: fit.ci95
        }
      })()
      return stopped
    }
  }
}

/**
 * A settled level: the median of a few reads (a garbage-collected or allocator-cached heap
 * wobbles between reads; the median ignores a single spike).
 */
export async function settledLevel(
  reader: MemoryReader,
  signal: AbortSignal
): Promise<number | null> {
  const reads = reader.source === 'proc' ? 5 : 1
  const values: number[] = []
  for (let i = 0; i < reads && !signal.aborted; i++) {
    if (i > 0) await sleep(50, signal)
    const v = await reader.read()
    if (v !== null) values.push(v)
  }
  return values.length > 0 ? median(values) : null
}

function thinPoints<T>(points: T[]): T[] {
  if (points.length <= MAX_POINTS) return points
  return thin(
    points.map((_, i) => i),
    MAX_POINTS
  ).map((i) => points[i]!)
}
