/**
 * `npm run bench -- sampler [--seconds N] [--json]` (N default 60; about 11 minutes in all): what sampling costs the profiler, on a
 * target the size of a loaded server (≥ 1 GiB RSS, ≥ 5,000 mappings, 200 fds, 20 TCP
 * connections), built by the ground-truth helper (needs `cc`). Measures, never asserts:
 *   - CPU per sample and as % of one core at 1 Hz and 10 Hz (process.cpuUsage over a run,
 *     with Node's idle cost measured alone and subtracted), with the default read budget and
 *     without it (rollup and sockets once a second, or sockets at every sample); at 10 Hz
 *     both in the first minutes and in the steady state, once V8 has optimized the loop;
 *   - the floor under 10 Hz: a thread that only sleeps on the same schedule (the sampler runs
 *     on a worker thread; a bare timer when it runs on this one), measured the same way just
 *     before and after the 10 Hz run;
 *   - what each read costs (cheap figures, smaps_rollup, socket scan);
 *   - one full snapshot (takeSnapshot: /proc/PID/smaps parsed and grouped).
 * Targets (issue 3): ≤ 0.5% of one core at 10 Hz, snapshot < 50 ms.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { LinuxProbe } from '../src/main/sampler/linux-probe'
import { Worker } from 'node:worker_threads'
import { startSampler } from '../src/main/sampler/sampler'
import { samplerWorkerUrl } from '../src/main/sampler/worker-host'
import { takeSnapshot } from '../src/main/sampler/snapshot'
import type { ReadPlan, SamplerOptions } from '../src/main/sampler/types'
import { parseStatus } from '../src/main/sampler/proc-status'
import { compileGroundTruth, startGroundTruth } from '../test/helpers/ground-truth'
import { flag } from './args'

const MIB = 1024 * 1024
/** The target's shape (issue 3: ≥ 1 GiB RSS, ≥ 5,000 mappings). */
const HEAP_MIB = 1100
const MAPPINGS = 6000
const FDS = 200
const CONNECTIONS = 20
/**
 * Sampling runs this long before measuring. At 10 Hz V8 optimizes the sampler's loop only
 * after tens of seconds (measured: --trace-opt), and that compilation on its background
 * thread (≈ 0.1 s of CPU) is a one-time cost: counted in a 60 s window it would add about
 * 0.15% of a core that a sampler running for minutes does not pay. 30 s also covers the first
 * costly reads, made at the first tick.
 */
const WARMUP_S = 30
/**
 * The 10 Hz run is measured a second time from here on. V8 optimizes the sampler's loop and
 * reads (TurboFan) only after about 1,400 ticks at 10 Hz — measured: the sampler's thread
 * drops from 3.1–3.5 to 2.5–2.8 ms of CPU a second at 140–150 s, and at 60–70 s with an
 * eight times smaller --interrupt-budget. A session samples for minutes to hours: both
 * figures are reported, the first minutes' and the steady state's.
 */
const STEADY_AFTER_S = 180
/**
 * Runs whose costly reads come once a second are measured this long at most: their cost is
 * steady by then. The budgeted runs take --seconds (default 60): at 10 Hz a large target's
 * smaps_rollup comes every 30 s, and a shorter window would miss it or count it twice.
 */
const UNBUDGETED_S = 15

interface RateResult {
  label: string
  intervalMs: number
  samples: number
  /** Samples that read smaps_rollup, and that scanned sockets, in the measured window. */
  rollupReads?: number
  socketScans?: number
  cpuMs: number
  wallMs: number
  /** Our CPU over the run minus Node's idle cost over the same time, % of one core. */
  percentOfCore: number
  cpuPerSampleMs: number
}

export async function run(args: string[]): Promise<void> {
  if (process.platform !== 'linux') throw new Error('the sampler benchmark needs Linux /proc')
  const seconds = Number(flag(args, '--seconds') ?? 60)
  const json = args.includes('--json')
  const log = (s: string): void => {
    if (!json) process.stdout.write(`${s}\n`)
  }
  const dir = mkdtempSync(join(tmpdir(), 'kp-bench-sampler-'))
  const peers: Socket[] = []
  const listener = createServer((s) => peers.push(s))
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r))
  const helper = await startGroundTruth(
    compileGroundTruth(dir, resolve('test/helpers/ground-truth.c'))
  )
  try {
    log(`building the target: ${HEAP_MIB} MiB heap, ${MAPPINGS} mappings, ${FDS} fds …`)
    await helper.send(`heap ${HEAP_MIB}`, 120_000)
    await helper.send(`mappings ${MAPPINGS}`)
    await helper.send(`fds ${FDS}`)
    await helper.send(`connect ${(listener.address() as { port: number }).port} ${CONNECTIONS}`)
    const status = parseStatus(readFileSync(`/proc/${helper.pid}/status`, 'utf8'))
    const mappings = readFileSync(`/proc/${helper.pid}/maps`, 'utf8').split('\n').length - 1
    const target = {
      pid: helper.pid,
      rssBytes: status.vmRssBytes ?? 0,
      mappings,
      fds: FDS + 3 + 1 + CONNECTIONS,
      connections: CONNECTIONS
    }
    log(
      `target pid ${target.pid}: RSS ${(target.rssBytes / MIB).toFixed(0)} MiB, ${mappings} mappings`
    )

    const onWorkerThread = samplerWorkerUrl() !== null
    log(`the sampler runs on ${onWorkerThread ? 'its worker thread' : 'the calling thread'}`)
    const reads = await readCosts(helper.pid, helper.port)
    const idle = await idleCost(Math.min(seconds, 5))
    const rates: RateResult[] = []
    const runs: [string, Partial<SamplerOptions> & { intervalMs: number }][] = [
      ['1 Hz', { intervalMs: 1000 }],
      ['10 Hz', { intervalMs: 100 }],
      ['10 Hz, no budget (rollup, sockets 1/s)', { intervalMs: 100, readBudget: 0 }],
      [
        '10 Hz, no budget, sockets every sample',
        { intervalMs: 100, readBudget: 0, socketIntervalMs: 0 }
      ]
    ]
    let floor: [RateResult, RateResult] | null = null
    for (const [label, options] of runs) {
      const runSeconds = options.readBudget === 0 ? Math.min(seconds, UNBUDGETED_S) : seconds
      const sampler = { pid: helper.pid, port: helper.port, ...options }
      if (label !== '10 Hz') {
        log(`sampling at ${label} for ${WARMUP_S} + ${runSeconds} s …`)
        rates.push(
          ...(await rateCosts(sampler, [{ label, atS: WARMUP_S, seconds: runSeconds }], idle))
        )
        continue
      }
      log(
        `a thread sleeping alone at 10 Hz (${WARMUP_S} + ${seconds} s), sampling at 10 Hz (measured ${WARMUP_S} s and ${STEADY_AFTER_S} s after the start, ${seconds} s each), sleeping alone again …`
      )
      const before = await wakeupCost(seconds, idle)
      const sampled = await rateCosts(
        sampler,
        [
          { label: FIRST_MINUTES_LABEL, atS: WARMUP_S, seconds },
          { label, atS: STEADY_AFTER_S, seconds }
        ],
        idle
      )
      floor = [before, await wakeupCost(seconds, idle)]
      rates.push(meanFloor(...floor), ...sampled)
    }
    const snapshot = await snapshotCost(helper.pid)
    const result = {
      target,
      onWorkerThread,
      idlePercentOfCore: round(idle * 100, 3),
      readsMs: reads,
      rates,
      snapshot
    }
    if (json) {
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
      return
    }
    log('')
    log('read (CPU ms each, median of 30)     cpu')
    for (const [k, v] of Object.entries(reads)) log(`  ${k.padEnd(34)} ${v.toFixed(3)}`)
    log('')
    log(`Node idle: ${(idle * 100).toFixed(3)}% of a core (subtracted below)`)
    const width = Math.max(...rates.map((r) => r.label.length))
    log(`${'rate'.padEnd(width + 2)} samples  CPU/sample  % of one core  rollups  socket scans`)
    for (const r of rates) {
      log(
        `  ${r.label.padEnd(width)} ${String(r.samples).padStart(7)}  ${r.cpuPerSampleMs.toFixed(3).padStart(7)} ms  ${r.percentOfCore.toFixed(3).padStart(8)}%  ${String(r.rollupReads ?? '-').padStart(11)}  ${String(r.socketScans ?? '-').padStart(12)}`
      )
    }
    const tenHz = rates.find((r) => r.label === '10 Hz')
    if (floor && tenHz) {
      const [a, b] = floor
      log(
        `  floor before / after: ${a.percentOfCore.toFixed(3)}% / ${b.percentOfCore.toFixed(3)}%; 10 Hz above the floor: ${(tenHz.percentOfCore - (a.percentOfCore + b.percentOfCore) / 2).toFixed(3)}%`
      )
    }
    log('')
    log(
      `snapshot: ${snapshot.medianMs.toFixed(1)} ms median of ${snapshot.runs} (read+parse ${snapshot.tookMs.toFixed(1)} ms), ${snapshot.mappings} mappings`
    )
    log('targets: ≤ 0.5% of one core at 10 Hz; snapshot < 50 ms')
  } finally {
    await helper.stop()
    peers.forEach((p) => p.destroy())
    await new Promise((r) => listener.close(r))
    rmSync(dir, { recursive: true, force: true })
  }
}

/** CPU time of one read of each kind (median): what the rates are made of. */
async function readCosts(pid: number, port: number): Promise<Record<string, number>> {
  const probe = new LinuxProbe(pid, port)
  await probe.open()
  const kinds: [string, ReadPlan][] = [
    ['stat + statm + fd count', { status: false, rollup: false, sockets: false }],
    ['+ status (once a second)', { status: true, rollup: false, sockets: false }],
    ['+ smaps_rollup', { status: false, rollup: true, sockets: false }],
    ['+ socket scan (fd links, tcp, tcp6)', { status: false, rollup: false, sockets: true }]
  ]
  const out: Record<string, number> = {}
  for (const [name, plan] of kinds) {
    const costs: number[] = []
    for (let i = 0; i < 30; i++) {
      const c0 = process.cpuUsage()
      await probe.read(plan)
      const c = process.cpuUsage(c0)
      costs.push((c.user + c.system) / 1000)
    }
    out[name] = round(median(costs), 3)
  }
  await probe.close()
  return out
}

/** Node's own CPU while doing nothing (timers, GC): the floor under every rate. */
async function idleCost(seconds: number): Promise<number> {
  const { cpuMs, wallMs } = await cpuOver(seconds)
  return cpuMs / wallMs
}

interface CpuWindow {
  /** This process's CPU time, all threads. */
  cpuMs: number
  wallMs: number
}

/** Waits `seconds` and measures what this process spent meanwhile. */
async function cpuOver(seconds: number): Promise<CpuWindow> {
  const c0 = process.cpuUsage()
  const w0 = performance.now()
  await new Promise((r) => setTimeout(r, seconds * 1000))
  const c = process.cpuUsage(c0)
  return { cpuMs: (c.user + c.system) / 1000, wallMs: performance.now() - w0 }
}

/** A rate's row: CPU over the window less Node's idle share, per sample and as % of a core. */
function rateResult(
  label: string,
  intervalMs: number,
  counts: { samples: number; rollupReads?: number; socketScans?: number },
  { cpuMs, wallMs }: CpuWindow,
  idleShare: number
): RateResult {
  const netMs = Math.max(0, cpuMs - idleShare * wallMs)
  return {
    label,
    intervalMs,
    ...counts,
    cpuMs: round(cpuMs, 2),
    wallMs: round(wallMs, 0),
    percentOfCore: round((netMs / wallMs) * 100, 3),
    cpuPerSampleMs: round(netMs / Math.max(1, counts.samples), 3)
  }
}

/** A measuring window of a sampling run: `seconds` long, from `atS` seconds after its start. */
interface RateWindow {
  label: string
  atS: number
  seconds: number
}

/** One sampling run, measured over each window in turn (windows in order, not overlapping). */
async function rateCosts(
  options: SamplerOptions,
  windows: RateWindow[],
  idleShare: number
): Promise<RateResult[]> {
  const counts = windows.map(() => ({ samples: 0, rollupReads: 0, socketScans: 0 }))
  // Samples are counted by when they were taken, not when they arrived: from the sampler's
  // thread they come a second's worth at a time, and the last ones with stop().
  const spans = windows.map(() => ({ from: Infinity, to: Infinity }))
  const started = performance.now()
  const sampler = startSampler(options, {
    onSample: (s) => {
      const i = spans.findIndex((w) => s.t >= w.from && s.t < w.to)
      const c = counts[i]
      if (!c) return
      c.samples++
      if (s.pssBytes !== null) c.rollupReads++
      if (s.socketsAt === s.t) c.socketScans++
    }
  })
  const measured: CpuWindow[] = []
  try {
    for (const [i, w] of windows.entries()) {
      const wait = started + w.atS * 1000 - performance.now()
      if (wait > 0) await new Promise((r) => setTimeout(r, wait))
      const span = spans[i]!
      span.from = Date.now()
      measured.push(await cpuOver(w.seconds))
      span.to = Date.now()
    }
  } finally {
    await sampler.stop()
  }
  // Counted once stop() has delivered every sample taken.
  return measured.map((cpu, i) =>
    rateResult(windows[i]!.label, options.intervalMs, counts[i]!, cpu, idleShare)
  )
}

const FIRST_MINUTES_LABEL = `10 Hz, first minutes (${WARMUP_S} s after the start)`

/**
 * The floor under the 10 Hz sampler: a thread that only sleeps, as the sampler's worker does
 * (Atomics.wait on the sampler's own fixed schedule, start + k × 100 ms), warmed up and
 * measured exactly as rateCosts measures the sampler; or, when the sampler runs on the calling
 * thread (no worker script named), a bare setTimeout on that schedule. The bench runs it just
 * before and just after the 10 Hz run and reports the mean, so load on the machine weighs on
 * both alike.
 */
async function wakeupCost(seconds: number, idleShare: number): Promise<RateResult> {
  const flag = new Int32Array(new SharedArrayBuffer(8))
  const onWorker = samplerWorkerUrl() !== null
  // flag[0]: 1 = stop; flag[1]: wake-ups counted by the sleeping thread.
  const sleeper = onWorker
    ? new Worker(
        `const { workerData } = require('node:worker_threads')
         const flag = new Int32Array(workerData)
         const mono0 = performance.now()
         let k = 0
         while (Atomics.load(flag, 0) === 0) {
           k = Math.max(k + 1, Math.floor((performance.now() - mono0) / 100) + 1)
           const wait = mono0 + k * 100 - performance.now()
           if (wait > 0) Atomics.wait(flag, 0, 0, wait)
           Atomics.add(flag, 1, 1)
         }`,
        { eval: true, workerData: flag.buffer }
      )
    : null
  let timer: ReturnType<typeof setTimeout> | undefined
  if (!onWorker) {
    const mono0 = performance.now()
    let k = 0
    const tick = (): void => {
      if (Atomics.load(flag, 0) !== 0) return
      Atomics.add(flag, 1, 1)
      k = Math.max(k + 1, Math.floor((performance.now() - mono0) / 100) + 1)
      timer = setTimeout(tick, mono0 + k * 100 - performance.now())
    }
    tick()
  }
  await new Promise((r) => setTimeout(r, WARMUP_S * 1000))
  Atomics.store(flag, 1, 0)
  const cpu = await cpuOver(seconds)
  const wakeups = Atomics.load(flag, 1)
  Atomics.store(flag, 0, 1)
  Atomics.notify(flag, 0)
  clearTimeout(timer)
  await sleeper?.terminate()
  return rateResult(FLOOR_LABEL(onWorker), 100, { samples: wakeups }, cpu, idleShare)
}

const FLOOR_LABEL = (onWorker: boolean): string =>
  onWorker ? 'thread sleeping alone, 10 Hz (floor)' : 'timer alone, 10 Hz (floor)'

/** Mean of the floor measured before and after the 10 Hz run. */
function meanFloor(a: RateResult, b: RateResult): RateResult {
  const mean = (x: number, y: number, d: number): number => round((x + y) / 2, d)
  return {
    label: `${a.label.replace(' (floor)', '')} (floor; before/after)`,
    intervalMs: 100,
    samples: Math.round((a.samples + b.samples) / 2),
    cpuMs: mean(a.cpuMs, b.cpuMs, 2),
    wallMs: mean(a.wallMs, b.wallMs, 0),
    percentOfCore: mean(a.percentOfCore, b.percentOfCore, 3),
    cpuPerSampleMs: mean(a.cpuPerSampleMs, b.cpuPerSampleMs, 3)
  }
}

async function snapshotCost(pid: number) {
  const walls: number[] = []
  let last = await takeSnapshot(pid, { dataDir: null })
  for (let i = 0; i < 5; i++) {
    const w0 = performance.now()
    last = await takeSnapshot(pid, { dataDir: null })
    walls.push(performance.now() - w0)
  }
  return {
    runs: walls.length,
    medianMs: round(median(walls), 1),
    tookMs: round(last.tookMs, 1),
    mappings: last.totals.mappings
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)] ?? 0
}

function round(x: number, digits: number): number {
  const f = 10 ** digits
  return Math.round(x * f) / f
}
