/**
 * The simulator's own process figures for system.stats, read the way KalamDB reads its own
 * (/proc/self on Linux): RSS, virtual size, threads, open files, CPU since the previous read.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { cpus, freemem, totalmem } from 'node:os'

export interface FdCounts {
  total: number
  regular: number
  directories: number
  unix: number
  ipv4: number
  other: number
}

export class ProcessMetrics {
  private lastCpu = process.cpuUsage()
  private lastWall = performance.now()

  /** CPU % since the previous call by any caller (100 = one core), like sysinfo's refresh. */
  cpuPercent(): number {
    const cpu = process.cpuUsage()
    const wall = performance.now()
    const usedUs = cpu.user - this.lastCpu.user + (cpu.system - this.lastCpu.system)
    const wallMs = wall - this.lastWall
    this.lastCpu = cpu
    this.lastWall = wall
    return wallMs <= 0 ? 0 : usedUs / 10 / wallMs
  }

  memory(): { rss: number; virtual: number } {
    try {
      const status = readFileSync('/proc/self/status', 'utf8')
      return { rss: kbField(status, 'VmRSS'), virtual: kbField(status, 'VmSize') }
    } catch {
      const m = process.memoryUsage()
      return { rss: m.rss, virtual: 0 }
    }
  }

  threads(): number {
    try {
      return readdirSync('/proc/self/task').length
    } catch {
      return 1
    }
  }

  fds(): FdCounts {
    const c: FdCounts = { total: 0, regular: 0, directories: 0, unix: 0, ipv4: 0, other: 0 }
    let names: string[]
    try {
      names = readdirSync('/proc/self/fd')
    } catch {
      return c
    }
    for (const n of names) {
      let target: string
      try {
        target = readlinkSync(`/proc/self/fd/${n}`)
      } catch {
        continue
      }
      c.total++
      if (target.startsWith('socket:')) c.ipv4++
      else if (target.startsWith('/')) c.regular++
      else c.other++
    }
    return c
  }

  static system(): { totalMb: number; usedMb: number; logicalCores: number } {
    const total = totalmem()
    return {
      totalMb: Math.round(total / 1048576),
      usedMb: Math.round((total - freemem()) / 1048576),
      logicalCores: cpus().length
    }
  }
}

function kbField(status: string, key: string): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)
  return m ? Number(m[1]) * 1024 : 0
}
