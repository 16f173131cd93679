/**
 * Other platforms (macOS, Windows): systeminformation's per-process figures. It spawns
 * `ps` / PowerShell per call, so it is slow (hundreds of ms) and knows only RSS and CPU;
 * every field it cannot measure is null. Connections come from its networkConnections()
 * (lsof / netstat), at the socket scan's pace. Untested off Linux; the mapping is pure and
 * unit-tested.
 */
import type * as SiModule from 'systeminformation'
import type { Systeminformation } from 'systeminformation'
import { ProfilerError } from '../../shared/errors'
import { pidNotFound } from './proc-errors'
import type { ProbeReading, ProcessProbe, ReadPlan } from './types'

export interface MappingContext {
  platform: NodeJS.Platform
  /** Logical CPUs: Windows figures are shares of all of them, ours are of one core. */
  cores: number
  monoMs: number
}

/** One process as systeminformation lists it → a reading with nulls where it is blind. */
export function readingFromSiProcess(
  proc: Pick<Systeminformation.ProcessesProcessData, 'cpu' | 'cpuu' | 'cpus' | 'memRss'>,
  ctx: MappingContext
): ProbeReading {
  // macOS: `ps %cpu`, already 100 = one core, no user/system split (si leaves cpuu/cpus 0).
  // Windows: si divides by every core's time, so 100 = all cores; scale to one core.
  const scale = ctx.platform === 'win32' ? ctx.cores : 1
  const split = ctx.platform === 'win32'
  const pct = (v: number): number | null => (Number.isFinite(v) ? v * scale : null)
  return {
    monoMs: ctx.monoMs,
    cpuTimeMs: null,
    cpuPercent: {
      total: pct(proc.cpu),
      user: split ? pct(proc.cpuu) : null,
      system: split ? pct(proc.cpus) : null
    },
    memory: {
      // systeminformation reports RSS (macOS rss, Windows working set) in KiB.
      rssBytes: Number.isFinite(proc.memRss) ? proc.memRss * 1024 : null,
      heapBytes: null,
      fileMappedBytes: null,
      stackBytes: null,
      swapBytes: null,
      threads: null,
      fds: null
    },
    rollup: null,
    sockets: null
  }
}

/** Established TCP connections of a pid in systeminformation's connection list. */
export function countSiConnections(
  conns: readonly Pick<
    Systeminformation.NetworkConnectionsData,
    'protocol' | 'state' | 'pid' | 'localPort'
  >[],
  pid: number,
  port: number | null
): NonNullable<ProbeReading['sockets']> {
  let tcp = 0
  let onPort = 0
  for (const c of conns) {
    if (c.pid !== pid || !c.protocol.startsWith('tcp') || c.state.toUpperCase() !== 'ESTABLISHED') {
      continue
    }
    tcp++
    if (port !== null && Number(c.localPort) === port) onPort++
  }
  return { tcpConnections: tcp, portConnections: port === null ? null : onPort }
}

type Si = typeof SiModule

export class FallbackProbe implements ProcessProbe {
  readonly kind = 'fallback'
  private si: Si | null = null

  constructor(
    readonly pid: number,
    private readonly port: number | null = null
  ) {}

  async open(): Promise<void> {
    this.si = (await import('systeminformation')).default as unknown as Si
    if ((await this.find()) === undefined) throw pidNotFound(this.pid)
  }

  async read(plan: ReadPlan): Promise<ProbeReading | null> {
    const [proc, conns] = await Promise.all([
      this.find(),
      plan.sockets ? this.siOrThrow().networkConnections() : Promise.resolve(null)
    ])
    if (proc === undefined) return null
    const reading = readingFromSiProcess(proc, {
      platform: process.platform,
      cores: (await import('node:os')).availableParallelism(),
      monoMs: performance.now()
    })
    if (conns !== null) reading.sockets = countSiConnections(conns, this.pid, this.port)
    return reading
  }

  async isGone(): Promise<boolean> {
    try {
      process.kill(this.pid, 0)
      return false
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'ESRCH'
    }
  }

  async close(): Promise<void> {}

  private siOrThrow(): Si {
    if (this.si === null) throw new ProfilerError('INTERNAL', 'probe read before open()')
    return this.si
  }

  private async find(): Promise<Systeminformation.ProcessesProcessData | undefined> {
    const { list } = await this.siOrThrow().processes()
    return list.find((p) => p.pid === this.pid)
  }
}
