/**
 * The Linux probe: reads /proc/PID/{stat,statm,status,smaps_rollup,fd} and the TCP tables of
 * the target's own network namespace directly — no child processes (systeminformation spawns
 * `ps`, far too slow for 10 Hz). Cheap files are kept open and re-read (./proc-file.ts);
 * reads of one sample run concurrently.
 */
import { readdirSync, readlinkSync } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import { ProfilerError } from '../../shared/errors'
import { isGoneError, pidNotFound, procReadError } from './proc-errors'
import { ProcFile } from './proc-file'
import {
  countConnections,
  parseProcNetTcp,
  parseSocketLink,
  parseTcp6InUse,
  type TcpSocketEntry
} from './proc-net'
import { parseSmapsRollup } from './proc-smaps-rollup'
import { isExitedState, parseStat, type ProcStat } from './proc-stat'
import { parseStatm, type ProcStatm } from './proc-statm'
import { parseStatus, type ProcStatus } from './proc-status'
import { clockTicksPerSecond, pageSizeBytes } from './sysconf'
import type { ProbeReading, ProcessProbe, ReadPlan } from './types'

/**
 * readlink of /proc/PID/fd/N costs ≈ 4 µs synchronously and several times that through
 * the thread pool; links are read in synchronous batches of this many, yielding to the
 * event loop between batches so a process with thousands of fds never blocks it long.
 */
const READLINK_BATCH = 64

export class LinuxProbe implements ProcessProbe {
  readonly kind = 'linux'
  private readonly dir: string
  private readonly status: ProcFile
  private readonly stat: ProcFile
  private readonly statm: ProcFile
  private readonly rollup: ProcFile
  private readonly tcp4: ProcFile
  private readonly tcp6: ProcFile
  private readonly sockstat6: ProcFile
  /** /proc/PID/fd, kept open for its size: the fd count (see countFds). */
  private readonly fdDir: ProcFile
  private startTimeTicks: number | null = null
  private ownerUid: number | null = null
  /** The latest status read: what statm lacks, repeated between status reads. */
  private lastStatus: ProcStatus | null = null
  private readonly msPerTick: number
  private readonly pageBytes: number

  constructor(
    readonly pid: number,
    private readonly port: number | null = null,
    procRoot = '/proc'
  ) {
    this.dir = `${procRoot}/${pid}`
    this.status = new ProcFile(`${this.dir}/status`)
    this.stat = new ProcFile(`${this.dir}/stat`)
    this.statm = new ProcFile(`${this.dir}/statm`)
    this.rollup = new ProcFile(`${this.dir}/smaps_rollup`)
    this.tcp4 = new ProcFile(`${this.dir}/net/tcp`, true)
    this.tcp6 = new ProcFile(`${this.dir}/net/tcp6`, true)
    this.sockstat6 = new ProcFile(`${this.dir}/net/sockstat6`)
    this.fdDir = new ProcFile(`${this.dir}/fd`)
    this.msPerTick = 1000 / clockTicksPerSecond()
    this.pageBytes = pageSizeBytes()
  }

  async open(): Promise<void> {
    try {
      this.status.open()
      this.stat.open()
      this.statm.open()
    } catch (e) {
      this.closeFiles()
      if (isGoneError(e)) throw pidNotFound(this.pid)
      throw procReadError(e, this.pid, 'stat') ?? pidNotFound(this.pid)
    }
    let st: ProcStat
    try {
      st = parseStat(this.stat.readSync())
      this.lastStatus = parseStatus(this.status.readSync())
      this.ownerUid = this.lastStatus.uid
    } catch {
      this.closeFiles()
      throw pidNotFound(this.pid)
    }
    if (isExitedState(st.state)) {
      this.closeFiles()
      throw new ProfilerError(
        'TARGET_EXITED',
        `pid ${this.pid} has already exited (a zombie waiting for its parent)`
      )
    }
    this.startTimeTicks = st.startTimeTicks
    // The files another user's process hides from us: fail now, with the fix, not mid-run.
    const checks: [string, () => unknown][] = [
      ['fd', () => this.fdDir.open()],
      ['smaps_rollup', () => this.rollup.open()]
    ]
    for (const [file, check] of checks) {
      try {
        check()
      } catch (e) {
        this.closeFiles()
        throw procReadError(e, this.pid, file, this.ownerUid) ?? pidNotFound(this.pid)
      }
    }
  }

  async read(plan: ReadPlan): Promise<ProbeReading | null> {
    // The expensive reads go first, to the thread pool; the cheap ones run here meanwhile.
    // allSettled: every read finishes before the next sample reuses the buffers.
    // Most samples at 10 Hz have none: no promises then beyond read()'s own.
    const expensive =
      plan.rollup || plan.sockets
        ? Promise.allSettled([
            plan.rollup ? timed(() => this.rollup.read()) : null,
            plan.sockets ? timed(() => this.scanSockets()) : null
          ])
        : null
    let cheap: {
      st: ProcStat
      statm: ProcStatm
      status: ProcStatus
      monoMs: number
      fds: number
    } | null = null
    let failure: { file: string; error: unknown } | null = null
    let file = 'stat'
    try {
      const st = parseStat(this.stat.readSync())
      const monoMs = performance.now()
      file = 'statm'
      const statm = parseStatm(this.statm.readSync())
      let status = this.lastStatus
      if (plan.status || status === null) {
        file = 'status'
        status = this.lastStatus = parseStatus(this.status.readSync())
      }
      file = 'fd'
      cheap = { st, statm, status, monoMs, fds: this.countFds() }
    } catch (error) {
      failure = { file, error }
    }
    const [rollup, sockets] = expensive ? await expensive : NOT_READ
    if (failure === null && rollup.status === 'rejected') {
      failure = { file: 'smaps_rollup', error: rollup.reason }
    }
    if (failure === null && sockets.status === 'rejected') {
      failure = { file: 'fd', error: sockets.reason }
    }
    if (failure !== null || cheap === null) {
      const mapped = failure && procReadError(failure.error, this.pid, failure.file, this.ownerUid)
      if (mapped) throw mapped
      return null
    }
    const { st, statm, status, monoMs, fds } = cheap
    if (isExitedState(st.state) || st.startTimeTicks !== this.startTimeTicks) return null
    const rollupRead = rollup.status === 'fulfilled' ? rollup.value : null
    const socketsRead = sockets.status === 'fulfilled' ? sockets.value : null
    const smaps = rollupRead && parseSmapsRollup(rollupRead.value)
    const costMs: NonNullable<ProbeReading['costMs']> = {}
    if (rollupRead) costMs.rollup = rollupRead.ms
    if (socketsRead) costMs.sockets = socketsRead.ms
    const page = this.pageBytes
    return {
      monoMs,
      cpuTimeMs: { user: st.utimeTicks * this.msPerTick, system: st.stimeTicks * this.msPerTick },
      // statm's counts are status's VmRSS, RssAnon and RssFile + RssShmem of this instant;
      // the shmem part, stack and swap are the last status read's (≤ 1 s old). A kernel
      // thread owns no user memory: statm says 0 there and status has no memory lines.
      memory: {
        rssBytes: statm.residentPages * page,
        heapBytes: (statm.residentPages - statm.sharedPages) * page,
        fileMappedBytes: Math.max(0, statm.sharedPages * page - (status.rssShmemBytes ?? 0)),
        stackBytes: status.vmStkBytes ?? 0,
        swapBytes: status.vmSwapBytes ?? 0,
        threads: st.numThreads,
        fds
      },
      rollup: smaps && { pssBytes: smaps.pssBytes, ussBytes: smaps.ussBytes },
      sockets: socketsRead?.value ?? null,
      costMs
    }
  }

  async isGone(): Promise<boolean> {
    try {
      const st = parseStat(this.stat.readSync())
      return isExitedState(st.state) || st.startTimeTicks !== this.startTimeTicks
    } catch (e) {
      if (isGoneError(e)) return true
      throw procReadError(e, this.pid, 'stat', this.ownerUid) ?? e
    }
  }

  async close(): Promise<void> {
    this.closeFiles()
  }

  private closeFiles(): void {
    for (const f of [
      this.status,
      this.stat,
      this.statm,
      this.rollup,
      this.tcp4,
      this.tcp6,
      this.sockstat6,
      this.fdDir
    ]) {
      f.close()
    }
  }

  /**
   * Since Linux 6.2 the size of /proc/PID/fd is the number of open fds: one fstat() of the
   * directory kept open (no path lookup, and bound to this process like the files) instead
   * of listing it. Older kernels report 0 there, and then we list it.
   */
  private countFds(): number {
    const size = this.fdDir.size()
    return size > 0 ? size : readdirSync(`${this.dir}/fd`).length
  }

  /**
   * Each table read walks the kernel's whole connection hash, so: none when the process
   * holds no socket, and tcp6 only when some socket was not found in tcp (a server bound
   * to 0.0.0.0 has only IPv4 sockets; unix and UDP sockets also send us on to tcp6) and
   * the namespace has TCPv6 sockets at all (see hasTcp6Sockets).
   */
  private async scanSockets(): Promise<NonNullable<ProbeReading['sockets']>> {
    const inodes = await this.socketInodes()
    if (inodes.size === 0) {
      return { tcpConnections: 0, portConnections: this.port === null ? null : 0 }
    }
    const first = await this.readTables(inodes, null)
    const entries = first.entries
    const found = new Set(entries.map((e) => e.inode))
    if (found.size < inodes.size && first.paged) {
      // A table longer than a page is read a page at a time, and the kernel resumes each
      // read by position: a connection opened or closed meanwhile (by any process of the
      // namespace) shifts the lines after it, and one of ours can be skipped. Sockets not
      // found may be unix or UDP ones, or skipped: one more read fills in the skipped.
      entries.push(...(await this.readTables(inodes, found)).entries)
    }
    return countConnections(entries, inodes, this.port)
  }

  /**
   * Entries of the process's sockets in tcp, and in tcp6 when some are not in tcp; `paged`
   * when a table read took more than one read call (see scanSockets).
   */
  private async readTables(
    inodes: ReadonlySet<number>,
    skip: ReadonlySet<number> | null
  ): Promise<{ entries: TcpSocketEntry[]; paged: boolean }> {
    const ours = (e: TcpSocketEntry): boolean => inodes.has(e.inode) && !skip?.has(e.inode)
    const entries = parseProcNetTcp(await this.tcp4.read().catch(tableMissing), 4).filter(ours)
    let paged = this.tcp4.lastReadCalls > 1
    if (entries.length + (skip?.size ?? 0) < inodes.size && this.hasTcp6Sockets()) {
      entries.push(...parseProcNetTcp(await this.tcp6.read().catch(tableMissing), 6).filter(ours))
      paged ||= this.tcp6.lastReadCalls > 1
    }
    return { entries, paged }
  }

  /**
   * Whether the tcp6 table may hold one of ours: sockstat6's count of TCPv6 sockets costs a
   * few µs where the table's walk of the connection hash costs milliseconds (≈ 3 ms on the
   * 24 GiB development VM). Anything but a readable "TCP6: inuse 0" reads the table.
   */
  private hasTcp6Sockets(): boolean {
    let text: string
    try {
      text = this.sockstat6.readSync()
    } catch {
      return true
    }
    return parseTcp6InUse(text) !== 0
  }

  private async socketInodes(): Promise<Set<number>> {
    const fdDir = `${this.dir}/fd`
    const names = await readdir(fdDir)
    const inodes = new Set<number>()
    for (let i = 0; i < names.length; i += READLINK_BATCH) {
      if (i > 0) await yieldToLoop()
      for (const name of names.slice(i, i + READLINK_BATCH)) {
        let link: string
        try {
          link = readlinkSync(`${fdDir}/${name}`)
        } catch (e) {
          // The fd was closed between the listing and the readlink: not ours any more.
          if (isGoneError(e)) continue
          throw e
        }
        const inode = parseSocketLink(link)
        if (inode !== null) inodes.add(inode)
      }
    }
    return inodes
  }
}

/** The expensive reads' results when the plan has neither. */
const NOT_READ = [
  { status: 'fulfilled', value: null },
  { status: 'fulfilled', value: null }
] as const

/** Runs an async read and measures its wall time: the sampler spaces costly reads by it. */
async function timed<T>(read: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t0 = performance.now()
  const value = await read()
  return { value, ms: performance.now() - t0 }
}

/** A kernel without IPv6 has no tcp6 table: no sockets there, not an error. */
function tableMissing(e: unknown): string {
  if (isGoneError(e)) return ''
  throw e
}
