/**
 * The sampler: one Sample per tick of a fixed schedule (DESIGN.md "Sample", a contract),
 * until stopped, the process exits, or a read fails. Platform reads live behind
 * ProcessProbe (./types.ts): /proc on Linux, systeminformation elsewhere.
 */
import { ProfilerError } from '../../shared/errors'
import type { Sample } from '../../shared/sample'
import { FallbackProbe } from './fallback-probe'
import { LinuxProbe } from './linux-probe'
import { timerSleeper, type Sleeper } from './sleeper'
import { samplerWorkerUrl, startInWorker } from './worker-host'
import {
  cpuPercents,
  isDue,
  LIVENESS_MS,
  MAX_INTERVAL_MS,
  MIN_INTERVAL_MS,
  budgetedSpacing,
  defaultReadBudget,
  nextTick,
  sleepBefore,
  ROLLUP_SPACING_MS,
  smoothCost,
  SOCKET_SPACING_MS,
  STATUS_SPACING_MS,
  type CpuTime
} from './schedule'
import type {
  ProbeReading,
  ProcessProbe,
  RunningSampler,
  SamplerHandlers,
  SamplerOptions
} from './types'

export { MAX_INTERVAL_MS, MIN_INTERVAL_MS } from './schedule'

/** The reader for this platform: complete on Linux, systeminformation's subset elsewhere. */
export function createProbe(pid: number, port: number | null = null): ProcessProbe {
  return process.platform === 'linux' ? new LinuxProbe(pid, port) : new FallbackProbe(pid, port)
}

/**
 * Starts sampling. On Linux, once the process entry has named the worker script
 * (useSamplerWorker), the schedule runs on a worker thread (./worker-host.ts): a sleep there
 * is a futex wait, not an event-loop wake-up, and a busy event loop here (a workload driving
 * thousands of requests a second) cannot delay a tick. Elsewhere, and with an injected probe,
 * it runs on this thread.
 */
export function startSampler(options: SamplerOptions, handlers: SamplerHandlers): RunningSampler {
  checkInterval(options.intervalMs)
  const worker = options.probe === undefined ? samplerWorkerUrl() : null
  return worker === null
    ? startInThread(options, handlers, timerSleeper())
    : startInWorker(worker, options, handlers)
}

function checkInterval(intervalMs: number): void {
  if (!(intervalMs >= MIN_INTERVAL_MS && intervalMs <= MAX_INTERVAL_MS)) {
    throw new ProfilerError(
      'BAD_INPUT',
      `sampling interval ${intervalMs} ms is out of range: 100 ms to 60 s`
    )
  }
}

/**
 * The sampling loop on the calling thread, sleeping with `sleeper` (a timer here, a futex
 * wait on the worker thread).
 */
export function startInThread(
  options: SamplerOptions,
  handlers: SamplerHandlers,
  sleeper: Sleeper
): RunningSampler {
  checkInterval(options.intervalMs)
  const intervalMs = options.intervalMs
  const pid = options.pid
  const probe = options.probe ?? createProbe(pid, options.port ?? null)
  const socketMinMs = options.socketIntervalMs ?? SOCKET_SPACING_MS
  const budget = options.readBudget ?? defaultReadBudget(intervalMs)
  const stopNow = (): void => sleeper.stop()
  if (options.signal?.aborted) stopNow()
  options.signal?.addEventListener('abort', stopNow, { once: true })

  const exited = (): 'exited' => {
    handlers.onExit?.({ pid, t: Date.now() })
    return 'exited'
  }

  async function loop(): Promise<'stopped' | 'exited' | 'error'> {
    if (sleeper.stopped) return 'stopped'
    await probe.open()
    const mono0 = performance.now()
    const wall0 = Date.now()
    let k = 0
    let lastRollupK: number | null = null
    let lastSocketK: number | null = null
    let lastStatusK: number | null = null
    let prevCpu: CpuTime | null = null
    let sockets: { counts: NonNullable<ProbeReading['sockets']>; at: number } | null = null
    let rollupCost: number | null = null
    let socketCost: number | null = null
    while (!sleeper.stopped) {
      // Wait for tick k: one sleep per tick; on intervals over a second, a look at the
      // process every second meanwhile (shorter ones notice an exit at the next read).
      const due = mono0 + k * intervalMs
      let wait = sleepBefore(due, performance.now())
      while (wait > 0) {
        const forTick = wait <= LIVENESS_MS
        if (!(await sleeper.sleep(forTick ? wait : LIVENESS_MS))) return 'stopped'
        wait = sleepBefore(due, performance.now())
        if (!forTick && wait > 0 && (await probe.isGone())) return exited()
      }
      const plan = {
        status: isDue(k, lastStatusK, intervalMs, STATUS_SPACING_MS),
        rollup: isDue(
          k,
          lastRollupK,
          intervalMs,
          budgetedSpacing(ROLLUP_SPACING_MS, rollupCost, budget)
        ),
        sockets: isDue(k, lastSocketK, intervalMs, budgetedSpacing(socketMinMs, socketCost, budget))
      }
      const t = Math.round(wall0 + k * intervalMs)
      const reading = await probe.read(plan)
      if (sleeper.stopped) return 'stopped'
      if (reading === null) return exited()
      if (plan.status) lastStatusK = k
      if (plan.rollup) lastRollupK = k
      if (reading.costMs?.rollup !== undefined) {
        rollupCost = smoothCost(rollupCost, reading.costMs.rollup)
      }
      if (reading.costMs?.sockets !== undefined) {
        socketCost = smoothCost(socketCost, reading.costMs.sockets)
      }
      if (plan.sockets) {
        lastSocketK = k
        if (reading.sockets) sockets = { counts: reading.sockets, at: t }
      }
      const cpu = reading.cpuTimeMs && {
        monoMs: reading.monoMs,
        userMs: reading.cpuTimeMs.user,
        systemMs: reading.cpuTimeMs.system
      }
      handlers.onSample(
        toSample(pid, t, reading, cpu && prevCpu ? cpuPercents(prevCpu, cpu) : null, sockets)
      )
      prevCpu = cpu
      k = nextTick(k, performance.now() - mono0, intervalMs)
    }
    return 'stopped'
  }

  const done = loop()
    .catch((e: unknown) => {
      handlers.onError?.(e instanceof Error ? e : new Error(String(e)))
      return 'error' as const
    })
    .finally(async () => {
      options.signal?.removeEventListener('abort', stopNow)
      await probe.close()
    })

  return {
    done,
    async stop() {
      stopNow()
      await done
    }
  }
}

/** One sample now (rollup and sockets included; CPU null, as for any first sample). */
export async function takeSample(
  pid: number,
  port: number | null = null,
  probe: ProcessProbe = createProbe(pid, port)
): Promise<Sample> {
  await probe.open()
  try {
    const t = Date.now()
    const reading = await probe.read({ status: true, rollup: true, sockets: true })
    if (reading === null) {
      throw new ProfilerError('TARGET_EXITED', `pid ${pid} exited while being read`)
    }
    return toSample(pid, t, reading, null, reading.sockets && { counts: reading.sockets, at: t })
  } finally {
    await probe.close()
  }
}

/**
 * Shapes a reading as the contract's Sample, fields in the contract's order. A fallback
 * probe leaves fields it cannot measure null although Sample types them as numbers: that
 * one widening happens here (tested on Linux only, where every field is measured).
 */
function toSample(
  pid: number,
  t: number,
  r: ProbeReading,
  cpu: ReturnType<typeof cpuPercents>,
  sockets: { counts: NonNullable<ProbeReading['sockets']>; at: number } | null
): Sample {
  const direct = r.cpuTimeMs === null ? r.cpuPercent : undefined
  const sample = {
    t,
    pid,
    rssBytes: r.memory.rssBytes,
    pssBytes: r.rollup?.pssBytes ?? null,
    ussBytes: r.rollup?.ussBytes ?? null,
    heapBytes: r.memory.heapBytes,
    fileMappedBytes: r.memory.fileMappedBytes,
    stackBytes: r.memory.stackBytes,
    swapBytes: r.memory.swapBytes,
    cpuPercent: direct ? direct.total : (cpu?.cpuPercent ?? null),
    cpuUserPercent: direct ? direct.user : (cpu?.cpuUserPercent ?? null),
    cpuSystemPercent: direct ? direct.system : (cpu?.cpuSystemPercent ?? null),
    threads: r.memory.threads,
    fds: r.memory.fds,
    tcpConnections: sockets?.counts.tcpConnections ?? null,
    portConnections: sockets?.counts.portConnections ?? null,
    ...(sockets ? { socketsAt: sockets.at } : {}),
    wsConnections: null
  }
  return sample as Sample
}
