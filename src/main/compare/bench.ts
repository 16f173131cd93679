/**
 * Two bench results side by side. Figures are matched by id.
 *
 * What decides the verdict, and why:
 *  - latency of the one-at-a-time benchmarks (write, read, query, notification) on its
 *    lower quartile: contention from anything else on the machine only ever adds latency,
 *    and it lands in the upper half first — between two runs of one build on a busy machine
 *    medians wander by tens of percent while p25 holds, and a slower code path moves both.
 *    Evidence: Mann–Whitney U on the raw samples + bootstrap CI of the p25's change;
 *  - throughput (flush, sustained, each writer count): the median per window, same tests;
 *  - memory kept per inserted row (the memory-retention bursts): Mann–Whitney + bootstrap CI
 *    of the difference of medians, beyond a floor in bytes per row.
 * The noise band widens with how busy the machine was: each benchmark records the CPU that
 * other processes used while it ran, and every core's worth of it adds ENV_BAND_PER_CORE
 * to the band of that benchmark's figures — a busier machine is not a slower server.
 * Shown for context, never moving the verdict: medians and p95s of latency, latency
 * measured with many requests in flight (sustained, concurrent writers), which on a shared
 * machine measures its load as much as the server, and the memory slope over the whole run
 * (a fresh server's heap grows on its own while it warms up).
 */
import type { BenchFigure, BenchMemory, BenchResult } from '../../shared/bench'
import type { CompareMetric, CompareResult, CompareSide } from '../../shared/compare'
import { ProfilerError } from '../../shared/errors'
import { formatInUnit } from '../../shared/units'
import {
  asContext,
  DEFAULT_THRESHOLDS,
  judge,
  ratioIntervalFromCis,
  seFromCi,
  type Thresholds
} from './significance'
import { bootstrapChangeCi, bootstrapDeltaCi, mannWhitney, quantile, twoSidedP } from './stats'
import { reasonFor, summaryOf, verdictOf } from './words'

/**
 * Latency differences under 50 µs are never called: below that, timer resolution, the
 * event loop and the kernel's scheduling dominate a loopback round trip.
 */
export const LATENCY_FLOOR_MS = 0.05

/** Memory growth over a whole bench run below 4 MiB is noise (GC, allocator arenas). */
const MEMORY_FLOOR_BYTES = 4 * 1024 * 1024

/**
 * Memory kept per row closer than this is not called: a row of the bench table is ~150
 * bytes of data, so anything smaller is allocator rounding and cache churn.
 */
export const RETENTION_FLOOR_BYTES_PER_ROW = 256

/**
 * Noise band added per core's worth of CPU used by other processes during a benchmark
 * (in either run). Measured on a 2-core machine shared with test suites: with other
 * processes at 1–2 cores, medians of loopback latency moved by 50–100% between runs of one
 * build, and their lower quartiles by up to 60%.
 */
export const ENV_BAND_PER_CORE = 0.5
/** The widest band the environment can impose (a 4× change is never machine noise alone). */
const MAX_BAND = 3

const Z95 = 1.959963985

export interface CompareOptions {
  thresholds?: Partial<Thresholds>
  /** Labels of the two sides (paths on the command line). */
  labels?: [string, string]
}

export function compareBench(
  a: BenchResult,
  b: BenchResult,
  options: CompareOptions = {}
): CompareResult {
  const t: Thresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds }
  const figuresA = figureMap(a)
  const figuresB = figureMap(b)
  const metrics: CompareMetric[] = []
  const notes: string[] = []
  const common = [...figuresA.keys()].filter((id) => figuresB.has(id))
  if (common.length === 0) {
    throw new ProfilerError(
      'BAD_INPUT',
      'the two bench results have no figure in common: run the same benchmarks (--only) on both'
    )
  }
  const memory = memoryRow(a.memory ?? null, b.memory ?? null, t)
  if (memory) metrics.push(asContext(memory, 'a fresh server’s heap grows on its own'))
  const widened: string[] = []
  for (const id of common) {
    const fa = figuresA.get(id)!
    const fb = figuresB.get(id)!
    const band = bandFor(a, b, fa.benchmark, t)
    if (band.noise > t.noise && !widened.includes(fa.benchmark)) {
      widened.push(fa.benchmark)
      notes.push(
        `${fa.benchmark}: other processes used ${Math.round(band.otherCpu)}% CPU in ${band.side} while it ran: its noise band is ±${Math.round(band.noise * 100)}% instead of ±${Math.round(t.noise * 100)}%.`
      )
    }
    const tb = { ...t, noise: band.noise }
    if (fa.unit === 'bytes/row') {
      // Memory rows lead the table, as in a session comparison.
      metrics.splice(memory ? 1 : 0, 0, compareRetention(fa, fb, t))
    } else if (fa.unit === 'ms') {
      const sequential = !/^(sustained-write|concurrent-writes)\./.test(fa.id)
      metrics.push(compareFigure(fa, fb, 'p25', tb, sequential))
      metrics.push(compareFigure(fa, fb, 'median', tb, false))
      metrics.push(compareFigure(fa, fb, 'p95', tb, false))
    } else {
      metrics.push(compareFigure(fa, fb, 'median', tb, true))
    }
    for (const [side, f] of [
      ['A', fa],
      ['B', fb]
    ] as const) {
      if (f.limitBound && f.unit !== 'ms') {
        notes.push(`${f.label} in ${side} is limit-bound: ${f.limitBound}`)
      }
    }
  }
  const onlyA = [...figuresA.keys()].filter((id) => !figuresB.has(id))
  const onlyB = [...figuresB.keys()].filter((id) => !figuresA.has(id))
  if (onlyA.length > 0) notes.push(`Only in A (not compared): ${onlyA.join(', ')}.`)
  if (onlyB.length > 0) notes.push(`Only in B (not compared): ${onlyB.join(', ')}.`)
  if (!memory && (a.memory || b.memory)) {
    notes.push(`Server memory was watched in ${a.memory ? 'A' : 'B'} only: not compared.`)
  }
  if (a.quick !== b.quick) {
    notes.push(
      `A is a ${a.quick ? 'quick' : 'full'} run and B a ${b.quick ? 'quick' : 'full'} one: sample counts differ, so do the intervals.`
    )
  }
  if ((a.target.version ?? null) !== (b.target.version ?? null)) {
    notes.push(
      `KalamDB version: A ${a.target.version ?? 'unknown'}, B ${b.target.version ?? 'unknown'}.`
    )
  }
  notes.push(...targetFlips(a, b))
  const verdict = verdictOf(metrics)
  return {
    schemaVersion: 1,
    kind: 'bench',
    verdict,
    summary: summaryOf(verdict, metrics, t),
    a: side(a, options.labels?.[0] ?? 'A'),
    b: side(b, options.labels?.[1] ?? 'B'),
    settings: t,
    metrics,
    notes
  }
}

/** The noise band of one benchmark's figures: the base band, widened by the busier run. */
function bandFor(
  a: BenchResult,
  b: BenchResult,
  benchmark: string,
  t: Thresholds
): { noise: number; otherCpu: number; side: string } {
  const other = (r: BenchResult): number =>
    r.benchmarks.find((x) => x.id === benchmark)?.environment?.otherCpuPercent ?? 0
  const oa = other(a)
  const ob = other(b)
  const worst = Math.max(oa, ob)
  const noise = Math.min(MAX_BAND, t.noise + (ENV_BAND_PER_CORE * worst) / 100)
  return { noise: Math.max(t.noise, noise), otherCpu: worst, side: ob >= oa ? 'B' : 'A' }
}

/** Memory kept per row: absolute difference of medians (a ratio to ~0 means nothing). */
function compareRetention(fa: BenchFigure, fb: BenchFigure, t: Thresholds): CompareMetric {
  const a = fa.stats.median
  const b = fb.stats.median
  const raw = fa.samples.length > 1 && fb.samples.length > 1
  const pValue = raw ? mannWhitney(fa.samples, fb.samples).pValue : null
  const deltaCi = raw ? bootstrapDeltaCi(fa.samples, fb.samples, 0.5) : null
  const floor = RETENTION_FLOOR_BYTES_PER_ROW
  const j = judge({ better: 'lower', a, b, pValue, alpha: t.alpha, deltaCi, floor })
  return {
    id: `bench.${fa.id}.median`,
    name: `${fa.label} median`,
    group: 'memory',
    unit: 'bytes/row',
    better: 'lower',
    a,
    b,
    a95: fa.stats.medianCi95,
    b95: fb.stats.medianCi95,
    change: j.change,
    delta: j.delta,
    pValue,
    test: 'Mann–Whitney U on the bursts + bootstrap 95% CI of the difference of medians; floor 256 B/row',
    significant: j.significant,
    direction: j.direction,
    reason: reasonFor({ unit: 'bytes/row', judgement: j, pValue, deltaCi, floor, absolute: true })
  }
}

function figureMap(r: BenchResult): Map<string, BenchFigure> {
  const m = new Map<string, BenchFigure>()
  for (const bm of r.benchmarks) for (const f of bm.figures) m.set(f.id, f)
  return m
}

function side(r: BenchResult, label: string): CompareSide {
  return {
    label,
    kind: 'bench',
    version: r.target.version,
    buildDate: r.target.buildDate,
    startedAt: r.startedAt,
    quick: r.quick
  }
}

type Statistic = 'p25' | 'median' | 'p95'
const QUANTILE: Record<Statistic, number> = { p25: 0.25, median: 0.5, p95: 0.95 }

function statOf(f: BenchFigure, s: Statistic): number {
  if (s === 'median') return f.stats.median
  if (s === 'p95') return f.stats.p95
  return f.stats.p25 ?? (f.samples.length > 0 ? quantile(f.samples, 0.25) : NaN)
}

function compareFigure(
  fa: BenchFigure,
  fb: BenchFigure,
  s: Statistic,
  t: Thresholds,
  counts: boolean
): CompareMetric {
  const q = QUANTILE[s]
  const a = statOf(fa, s)
  const b = statOf(fb, s)
  const raw = fa.samples.length > 1 && fb.samples.length > 1
  // The rank test asks "did the distribution move"; it backs the calls on the body of the
  // distribution. A p95 is judged on its own interval, honest about how little a tail says.
  const pValue = raw && s !== 'p95' ? mannWhitney(fa.samples, fb.samples).pValue : null
  let changeCi: [number, number] | null = null
  let test: string
  if (raw) {
    changeCi = bootstrapChangeCi(fa.samples, fb.samples, q)
    test =
      s === 'p95'
        ? 'bootstrap 95% CI of the p95’s change'
        : `Mann–Whitney U on the raw samples + bootstrap 95% CI of the ${s}’s change`
  } else if (s === 'median') {
    changeCi = ratioIntervalFromCis(fa.stats.medianCi95, fb.stats.medianCi95)
    test = 'the two medians’ 95% CIs (no raw samples)'
  } else {
    test = 'point estimates (no raw samples): must clear twice the noise band'
  }
  const noise = raw || s === 'median' ? t.noise : 2 * t.noise
  const floor = fa.unit === 'ms' ? LATENCY_FLOOR_MS : undefined
  const j = judge({
    better: fa.better,
    a,
    b,
    pValue,
    alpha: t.alpha,
    changeCi,
    noise,
    ...(floor !== undefined ? { floor } : {})
  })
  const metric: CompareMetric = {
    id: `bench.${fa.id}.${s}`,
    name: `${fa.label} ${s}`,
    group: 'benchmark',
    unit: fa.unit,
    better: fa.better,
    a,
    b,
    change: j.change,
    changeCi95: changeCi,
    delta: j.delta,
    pValue,
    test,
    significant: j.significant,
    direction: j.direction,
    reason: reasonFor({
      unit: fa.unit,
      judgement: j,
      pValue,
      changeCi,
      noise,
      ...(floor !== undefined ? { floor } : {})
    })
  }
  if (s === 'median') {
    metric.a95 = fa.stats.medianCi95
    metric.b95 = fb.stats.medianCi95
  }
  return counts
    ? metric
    : asContext(metric, fa.unit === 'ms' && s === 'p25' ? 'many requests in flight' : null)
}

/** Memory kept per inserted row: a z-test of the two slopes, beyond a floor. */
function memoryRow(
  ma: BenchMemory | null,
  mb: BenchMemory | null,
  t: Thresholds
): CompareMetric | null {
  if (!ma || !mb) return null
  const se = Math.hypot(seFromCi(ma.bytesPerRowCi95), seFromCi(mb.bytesPerRowCi95))
  const d = mb.bytesPerRow - ma.bytesPerRow
  const pValue = se > 0 ? twoSidedP(d / se) : null
  const deltaCi: [number, number] | null = se > 0 ? [d - Z95 * se, d + Z95 * se] : null
  // Growth smaller than memoryNoise of the baseline (at least 4 MiB) over the run's rows is
  // what the allocator and the garbage collector do on their own.
  const rows = Math.max(1, Math.min(ma.rows, mb.rows))
  const floor =
    Math.max(t.memoryNoise * Math.max(ma.baselineBytes, mb.baselineBytes), MEMORY_FLOOR_BYTES) /
    rows
  const j = judge({
    better: 'lower',
    a: ma.bytesPerRow,
    b: mb.bytesPerRow,
    pValue,
    alpha: t.alpha,
    deltaCi,
    floor
  })
  const what = ma.field === 'heapBytes' && mb.field === 'heapBytes' ? 'heap (RssAnon)' : 'memory'
  return {
    id: 'bench.memory.bytes-per-row',
    name: `server ${what} per inserted row`,
    group: 'memory',
    unit: 'bytes',
    better: 'lower',
    a: ma.bytesPerRow,
    b: mb.bytesPerRow,
    a95: ma.bytesPerRowCi95,
    b95: mb.bytesPerRowCi95,
    change: j.change,
    delta: j.delta,
    pValue,
    test: 'z-test of the difference of the two slopes (memory on rows acknowledged) from their 95% CIs; floor: growth over the run below the memory noise',
    significant: j.significant,
    direction: j.direction,
    reason:
      reasonFor({ unit: 'bytes', judgement: j, pValue, deltaCi, floor, absolute: true }) +
      (ma.field !== mb.field
        ? ` (A from ${ma.source}, B from ${mb.source}: different sources.)`
        : '')
  }
}

function targetFlips(a: BenchResult, b: BenchResult): string[] {
  const out: string[] = []
  for (const tb of b.targets) {
    const ta = a.targets.find((x) => x.benchmark === tb.benchmark && x.name === tb.name)
    if (!ta || ta.pass === tb.pass) continue
    const word = (p: boolean | null): string =>
      p === null ? 'not measured' : p ? 'passed' : 'FAILED'
    out.push(
      `Target ${tb.name} (${tb.threshold}): ${word(ta.pass)} in A (${formatInUnit(ta.unit, ta.measured)}), ${word(tb.pass)} in B (${formatInUnit(tb.unit, tb.measured)}).`
    )
  }
  return out
}
