/**
 * The Linux probe: reads /proc/PID/{status,stat,smaps_rollup,fd} and the TCP tables of the
 * target's own network namespace directly — no child processes (systeminformation spawns
 * `ps`, far too slow for 10 Hz). Cheap files are kept open and re-read (./proc-file.ts);
 * reads of one sample run concurrently.
 */
import { readdir, stat } from 'node:fs/promises'
import { readlinkSync } from 'node:fs'
import { setImmediate as yieldToLoop } from 'node:timers/promises'
import { ProfilerError } from '../../shared/errors'
import { clockTicksPerSecond } from './clock-tick'
import { isGoneError, pidNotFound, procReadError } from './proc-errors'
import { ProcFile } from './proc-file'
import { countConnections, parseProcNetTcp, parseSocketLink } from './proc-net'
import { parseSmapsRollup } from './proc-smaps-rollup'
import { isExitedState, parseStat, type ProcStat } from './proc-stat'
import { parseStatus } from './proc-status'
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
  private readonly rollup: ProcFile
  private readonly tcp4: ProcFile
  private readonly tcp6: ProcFile
  private startTimeTicks: number | null = null
  private ownerUid: number | null = null
  private readonly msPerTick: number

  constructor(
    readonly pid: number,
    private readonly port: number | null = null,
    procRoot = '/proc'
  ) {
    this.dir = `${procRoot}/${pid}`
    this.status = new ProcFile(`${this.dir}/status`)
    this.stat = new ProcFile(`${this.dir}/stat`)
    this.rollup = new ProcFile(`${this.dir}/smaps_rollup`)
    this.tcp4 = new ProcFile(`${this.dir}/net/tcp`, true)
    this.tcp6 = new ProcFile(`${this.dir}/net/tcp6`, true)
    this.msPerTick = 1000 / clockTicksPerSecond()
  }

  async open(): Promise<void> {
    try {
      await Promise.all([this.status.open(), this.stat.open()])
    } catch (e) {
      await this.close()
      if (isGoneError(e)) throw pidNotFound(this.pid)
      throw procReadError(e, this.pid, 'stat') ?? pidNotFound(this.pid)
    }
    const st = await this.readStat().catch(() => null)
    if (st === null) throw pidNotFound(this.pid)
    if (isExitedState(st.state)) {
      await this.close()
      throw new ProfilerError(
        'TARGET_EXITED',
        `pid ${this.pid} has already exited (a zombie waiting for its parent)`
      )
    }
    this.startTimeTicks = st.startTimeTicks
    this.ownerUid = parseStatus(await this.status.read().catch(() => '')).uid
    // The files another user's process hides from us: fail now, with the fix, not mid-run.
    const checks: [string, () => Promise<unknown>][] = [
      ['fd', () => readdir(`${this.dir}/fd`)],
      ['smaps_rollup', () => this.rollup.open()]
    ]
    for (const [file, check] of checks) {
      try {
        await check()
      } catch (e) {
        await this.close()
        throw procReadError(e, this.pid, file, this.ownerUid) ?? pidNotFound(this.pid)
      }
    }
  }

  async read(plan: ReadPlan): Promise<ProbeReading | null> {
    let monoMs = 0
    // allSettled, not all: every read finishes before the next sample reuses the buffers.
    const results = await Promise.allSettled([
      this.status.read(),
      this.readStat().then((s) => {
        monoMs = performance.now()
        return s
      }),
      this.countFds(),
      plan.rollup ? this.rollup.read() : Promise.resolve(null),
      plan.sockets ? this.scanSockets() : Promise.resolve(null)
    ])
    const files = ['status', 'stat', 'fd', 'smaps_rollup', 'net/tcp']
    for (let i = 0; i < results.length; i++) {
      const r = results[i]!
      if (r.status === 'fulfilled') continue
      const mapped = procReadError(r.reason, this.pid, files[i]!, this.ownerUid)
      if (mapped === null) return null
      throw mapped
    }
    const [statusText, st, fds, rollupText, sockets] = results.map(
      (r) => (r as PromiseFulfilledResult<unknown>).value
    ) as [string, ProcStat, number, string | null, ProbeReading['sockets']]
    if (isExitedState(st.state) || st.startTimeTicks !== this.startTimeTicks) return null
    const status = parseStatus(statusText)
    // A zombie's status has no memory lines; checked above. A kernel thread has none either,
    // and truly owns no user memory: 0 there is the truth, not a guess.
    const rollup = rollupText === null ? null : parseSmapsRollup(rollupText)
    return {
      monoMs,
      cpuTimeMs: { user: st.utimeTicks * this.msPerTick, system: st.stimeTicks * this.msPerTick },
      memory: {
        rssBytes: status.vmRssBytes ?? 0,
        heapBytes: status.rssAnonBytes ?? 0,
        fileMappedBytes: status.rssFileBytes ?? 0,
        stackBytes: status.vmStkBytes ?? 0,
        swapBytes: status.vmSwapBytes ?? 0,
        threads: status.threads ?? st.numThreads,
        fds
      },
      rollup: rollup && { pssBytes: rollup.pssBytes, ussBytes: rollup.ussBytes },
      sockets
    }
  }

  async isGone(): Promise<boolean> {
    try {
      const st = await this.readStat()
      return isExitedState(st.state) || st.startTimeTicks !== this.startTimeTicks
    } catch (e) {
      if (isGoneError(e)) return true
      throw procReadError(e, this.pid, 'stat') ?? e
    }
  }

  async close(): Promise<void> {
    await Promise.all(
      [this.status, this.stat, this.rollup, this.tcp4, this.tcp6].map((f) => f.close())
    )
  }

  private async readStat(): Promise<ProcStat> {
    return parseStat(await this.stat.read())
  }

  /**
   * Since Linux 6.2 the size of /proc/PID/fd is the number of open fds: one stat() instead
   * of listing the directory. Older kernels report 0 there, and then we list it.
   */
  private async countFds(): Promise<number> {
    const st = await stat(`${this.dir}/fd`)
    if (st.size > 0) return st.size
    return (await readdir(`${this.dir}/fd`)).length
  }

  private async scanSockets(): Promise<NonNullable<ProbeReading['sockets']>> {
    const [inodes, v4, v6] = await Promise.all([
      this.socketInodes(),
      this.tcp4.read().catch(tableMissing),
      this.tcp6.read().catch(tableMissing)
    ])
    if (inodes.size === 0)
      return { tcpConnections: 0, portConnections: this.port === null ? null : 0 }
    const entries = [...parseProcNetTcp(v4, 4), ...parseProcNetTcp(v6, 6)]
    return countConnections(entries, inodes, this.port)
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

/** A kernel without IPv6 has no tcp6 table: no sockets there, not an error. */
function tableMissing(e: unknown): string {
  if (isGoneError(e)) return ''
  throw e
}
