/**
 * How busy the machine was while a benchmark ran, so `compare` can tell a slower server from
 * a busier machine: the CPU that processes other than this profiler and the server used
 * (from /proc/stat minus our own and the server's CPU time), the load average, and this
 * process's event-loop delay (p99: how late our own timers ran). Linux only; elsewhere the
 * CPU figure is null.
 */
import { readFile } from 'node:fs/promises'
import { loadavg } from 'node:os'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import type { BenchEnvironment } from '../../shared/bench'
import { clockTicksPerSecond } from '../sampler/sysconf'
import { parseStat } from '../sampler/proc-stat'

interface CpuReading {
  wallMs: number
  /** Busy ticks of all CPUs together (/proc/stat `cpu` line), null off Linux. */
  machineTicks: number | null
  selfUs: number
  serverTicks: number | null
}

/** Busy ticks from /proc/stat's aggregate line: everything but idle and iowait. */
export function parseMachineBusyTicks(text: string): number | null {
  const line = text.split('\n').find((l) => l.startsWith('cpu '))
  if (!line) return null
  const f = line.trim().split(/\s+/).slice(1).map(Number)
  if (f.length < 4 || f.some((v) => !Number.isFinite(v))) return null
  // user nice system idle iowait irq softirq steal (guest time is already inside user).
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = f
  return user + nice + system + irq + softirq + steal
}

async function read(serverPid: number | null): Promise<CpuReading> {
  const machine = await readFile('/proc/stat', 'utf8')
    .then(parseMachineBusyTicks)
    .catch(() => null)
  let serverTicks: number | null = null
  if (serverPid !== null && serverPid !== process.pid) {
    serverTicks = await readFile(`/proc/${serverPid}/stat`, 'utf8')
      .then((t) => {
        const s = parseStat(t)
        return s.utimeTicks + s.stimeTicks
      })
      .catch(() => null)
  }
  const u = process.cpuUsage()
  return {
    wallMs: performance.now(),
    machineTicks: machine,
    selfUs: u.user + u.system,
    serverTicks
  }
}

export interface EnvironmentProbe {
  stop(): Promise<BenchEnvironment>
}

export async function probeEnvironment(serverPid: number | null): Promise<EnvironmentProbe> {
  const start = await read(serverPid)
  const delay = monitorEventLoopDelay({ resolution: 10 })
  delay.enable()
  return {
    async stop() {
      delay.disable()
      const end = await read(serverPid)
      const secs = (end.wallMs - start.wallMs) / 1000
      let other: number | null = null
      if (secs > 0 && start.machineTicks !== null && end.machineTicks !== null) {
        const tps = clockTicksPerSecond()
        const machine = (end.machineTicks - start.machineTicks) / tps
        const self = (end.selfUs - start.selfUs) / 1e6
        const server =
          start.serverTicks !== null && end.serverTicks !== null
            ? (end.serverTicks - start.serverTicks) / tps
            : 0
        other = Math.max(0, Math.round(((machine - self - server) / secs) * 1000) / 10)
      }
      const p99 = delay.percentile(99) / 1e6
      return {
        otherCpuPercent: other,
        serverCpuMeasured: start.serverTicks !== null,
        loadAverage: Math.round(loadavg()[0]! * 100) / 100,
        eventLoopDelayP99Ms: Number.isFinite(p99) ? Math.round(p99 * 10) / 10 : null
      }
    }
  }
}
