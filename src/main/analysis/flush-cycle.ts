/**
 * The flush cycle, taken out. Rows written to KalamDB wait in memtables until a flush, and
 * the memory that holds them (the memtables, and whatever the writes churn through with
 * them) rises with every insert and falls at each flush: a sawtooth of one flush period. A
 * sampler that sees every cycle judges its troughs (sawtooth.ts). One that samples every
 * 30 s does not: each sample lands at a random phase of a 50 s cycle, the ±10 MiB of the
 * sawtooth reads as noise, and a 6 MiB/min leak over five minutes is lost in it (a recorded
 * run: slope interval -3 to 16 MiB/min; its clean twin -5 to 6).
 *
 * But the server says where in the cycle each sample fell: system.stats reports the bytes in
 * its memtables, polled beside the samples. Memory regressed on time and memtables at once
 * (y = a + b·t + c·m) gives the cycle's weight c, and memory less c·(m − m̄) is the series the
 * flushes would have left. Judged one point per cycle (withoutFlushCycle), as any other
 * series (trend.ts), the same recorded run grows 6.1 MiB/min (512 B per insert at 200 rows/s
 * is 5.9) and its clean twin holds steady.
 *
 * Taken out when the sampler sees fewer than SAMPLES_TO_SEE_A_CYCLE samples a cycle and the
 * window holds a trend's worth of cycles (MIN_TREND_POINTS, one point each). A sampler that
 * sees more has its samples judged as they are, a sawtooth by its troughs; but when there are
 * too few cycles for a sawtooth (MIN_DROPS, sawtooth.ts) and the line through the samples is
 * too uneven to call or unclear at its end, or a sawtooth's troughs are too few to judge
 * (`perSample`), the cycle is taken out and the series less it judged sample by sample, as
 * any other (the second may then only call a leak, metric.ts). A recorded
 * writers-and-listeners run (100 s flush cycles, 1 s samples, two flushes in the window)
 * leaking 256 B per insert read +1.8 MiB/min on a line through its samples, too uneven to
 * call, as was its clean twin at +0.65 MiB/min; their troughs rose 1.6 and 0.1 MiB/min.
 * There the fit may leave out only a few samples (MAX_LEFT_OUT_SHARE_PER_SAMPLE). Always:
 * the memtables explain most of what a line leaves (MIN_PARTIAL_R2), memory grows with them
 * (a positive weight, surely), and they cycle rather than climb with time
 * (MAX_TIME_CORRELATION: memtables that only fill are a trend of their own, and would take
 * the leak with them). The fit is trimmed: a sample whose poll and
 * itself straddled a flush reads the wrong end of the cycle (robustPlane).
 *
 * The weight is fitted on the samples and the trend then counts the cycles, not the degree of
 * freedom the weight took; the weight's own test (99 %, on the samples' degrees of freedom)
 * is what keeps a chance fit from narrowing that trend.
 */
import type { MemoryField, Sample } from '../../shared/sample'
import type { Point } from './growth'
import { maxOf, minOf } from './select'
import {
  correlation,
  mean,
  midMean,
  MINUTE,
  ols,
  OUTLIER_MIN_POINTS,
  OUTLIER_SIGMA,
  residualsOf,
  tQuantile
} from './stats'
import { MIN_TREND_POINTS } from './trend'

/** The memtables must explain at least this share of the variance left around a line. */
export const MIN_PARTIAL_R2 = 0.5
/** Memory must grow with the memtables at this confidence (one-sided). */
export const WEIGHT_CONFIDENCE = 0.99
/** Memtables correlated with time beyond this climb rather than cycle: nothing is taken out. */
export const MAX_TIME_CORRELATION = 0.5
/**
 * A sampler with this many samples a flush cycle or more sees the sawtooth, and its troughs
 * are judged (sawtooth.ts), which assume nothing of how memory follows the memtables. Sampled
 * every second, what a flush frees comes back at the next garbage collection, seconds later;
 * a fit that left those samples out took the cycle out of recordings whose troughs were
 * judged right, and one point a cycle left too few to judge.
 */
export const SAMPLES_TO_SEE_A_CYCLE = 3
/** Up to this share of pairs may be outliers (see robustPlane)… */
export const TRIMMED_SHARE = 0.25
/** …each off by at least this share of the cycle's swing. */
export const OUTLIER_SWING_SHARE = 0.25
/** On up to this many pairs the trimmed fit is also started from each leave-one-out fit. */
export const MAX_LEAVE_ONE_OUT_STARTS = 60
/**
 * Judged sample by sample, the cycle's fit may leave out at most this share of the samples. A
 * sample straddles a flush and its poll only for the poll's lag (a few % of a cycle); a
 * quarter left out means memory does not follow the memtables promptly — the simulator's V8
 * gives a flush's memory back 5-15 s after it (recorded: 25-27 % in a memory-release run
 * and in PSS read every 6 s at 10 Hz, where the line less the cycle read a clean run's
 * settling as a leak; 8-17 % in writers-and-listeners runs). Each cycle judged as one point
 * averages the lag away; single samples do not.
 */
export const MAX_LEFT_OUT_SHARE_PER_SAMPLE = 0.2
/** Paired samples needed: one more than a trend needs, for the weight. */
export const MIN_PAIRED_POINTS = MIN_TREND_POINTS + 1

export interface FlushCycle {
  /** Bytes of the metric per byte in the server's memtables (c). */
  bytesPerMemtableByte: number
  /** Share of the variance around a line the memtables explain. */
  partialR2: number
  /** Mean memtable bytes over the fitted window (m̄): the level the series is brought to. */
  meanMemtableBytes: number
  /**
   * Samples (ms since the epoch) whose memtable reading disagreed with memory beyond what
   * the fit allows (robustPlane): the poll and the sample straddled a flush, so the reading
   * says nothing of where that sample fell in the cycle. They are left out of what is judged.
   */
  leftOut: readonly number[]
  /** Samples in the fitted window with a memtable reading, less those left out. */
  samplesUsed: number
  /**
   * The series less the cycle is judged one point per cycle (a sampler too slow to see the
   * cycle), else sample by sample (lessFlushCycle).
   */
  perCycle: boolean
}

/** The server's memtable bytes a sample carries (its latest poll); null when not reported. */
export function memtableOf(s: Sample): number | null {
  const m = s.server?.memtableBytes
  return typeof m === 'number' && Number.isFinite(m) ? m : null
}

/** The server's memtable bytes as each sample saw them. */
export function memtablesOf(samples: readonly Sample[]): Point[] {
  const out: Point[] = []
  for (const s of samples) {
    const m = memtableOf(s)
    if (m !== null) out.push({ t: s.t, v: m })
  }
  return out
}

/**
 * Whether the memtables fell (a flush) between `from` and `to`: the server's word that drops
 * of memory there are flushes, not noise wandering (against-rss.ts, index.ts).
 */
export function flushedBetween(memtables: readonly Point[], from: number, to: number): boolean {
  for (let i = 1; i < memtables.length; i++) {
    const p = memtables[i] as Point
    if (p.t > to) break
    if (p.t >= from && p.v < (memtables[i - 1] as Point).v) return true
  }
  return false
}

/** A value less the cycle at memtable bytes `m`: v − c·(m − m̄). */
function lessCycle(v: number, m: number, cycle: FlushCycle): number {
  return v - cycle.bytesPerMemtableByte * (m - cycle.meanMemtableBytes)
}

/**
 * The flush cycle's weight in `points` over `window`, fitted with the time trend
 * (Frisch–Waugh: memory's and memtables' residuals about their own lines, regressed on each
 * other); null when it is not worth taking out (see the module comment).
 */
export function fitFlushCycle(
  points: readonly Point[],
  memtables: readonly Point[],
  window: { from: number; to: number },
  { perSample = false }: { perSample?: boolean } = {}
): FlushCycle | null {
  const pairs = pairsIn(points, memtables, window)
  if (pairs.length < MIN_PAIRED_POINTS) return null
  const flushes = flushesIn(pairs)
  const perCycle = pairs.length < SAMPLES_TO_SEE_A_CYCLE * (flushes + 1)
  // Each cycle is one point of the series judged (withoutFlushCycle)…
  if (perCycle && flushes + 1 < MIN_TREND_POINTS) return null
  // …or the sampler sees the cycle, and its samples are judged as they are unless asked.
  if (!perCycle && (!perSample || flushes === 0)) return null
  if (climbsWithTime(pairs)) return null
  const fit = robustPlane(pairs)
  if (!fit || fit.partialR2 < MIN_PARTIAL_R2) return null
  if (!(fit.weight - tQuantile(WEIGHT_CONFIDENCE, fit.pairs.length - 3) * fit.weightSe > 0)) {
    return null
  }
  const used = new Set(fit.pairs)
  if (!perCycle && pairs.length - used.size > MAX_LEFT_OUT_SHARE_PER_SAMPLE * pairs.length) {
    return null
  }
  return {
    bytesPerMemtableByte: fit.weight,
    partialR2: fit.partialR2,
    meanMemtableBytes: mean(fit.pairs.map((p) => p.m)),
    leftOut: pairs.filter((p) => !used.has(p)).map((p) => p.at),
    samplesUsed: fit.pairs.length,
    perCycle
  }
}

/**
 * Memory's slope over time with the memtables beside it in the regression (the trimmed fit of
 * robustPlane), bytes per minute, for checking a leak read on a line through few flush cycles
 * (flushes.ts checkLeakAgainstFlushPhase). Null when there is nothing to check: no flush in
 * `window`, too few pairs, or memtables that climb with time rather than cycle.
 */
export function slopeBesideMemtables(
  points: readonly Point[],
  memtables: readonly Point[],
  window: { from: number; to: number }
): { slope: number; slopeSe: number; df: number; flushes: number } | null {
  const pairs = pairsIn(points, memtables, window)
  if (pairs.length < MIN_PAIRED_POINTS) return null
  const flushes = flushesIn(pairs)
  if (flushes === 0 || climbsWithTime(pairs)) return null
  const fit = robustPlane(pairs)
  if (!fit) return null
  return { slope: fit.slope, slopeSe: fit.slopeSe, df: fit.pairs.length - 3, flushes }
}

/**
 * The points in `window` that have a memtable reading taken with them. Both series are in time
 * order (as judgeTrend asks of its points), so they are merged: a lookup by time per point
 * hashed 287,000 float keys for every metric and every leak check of an 8-hour 10 Hz
 * session, a ninth of its analysis.
 */
function pairsIn(
  points: readonly Point[],
  memtables: readonly Point[],
  window: { from: number; to: number }
): Pair[] {
  const out: Pair[] = []
  let j = 0
  for (const p of points) {
    if (p.t < window.from) continue
    if (p.t > window.to) break
    while (j < memtables.length && (memtables[j] as Point).t < p.t) j++
    const m = memtables[j]
    if (m && m.t === p.t) out.push({ at: p.t, t: (p.t - window.from) / MINUTE, y: p.v, m: m.v })
  }
  return out
}

/**
 * Memtables that rise with time rather than cycle (MAX_TIME_CORRELATION) are a trend of their
 * own: beside time in one regression, they would take a leak with them.
 */
function climbsWithTime(pairs: readonly Pair[]): boolean {
  const ts = pairs.map((p) => p.t)
  const ms = pairs.map((p) => p.m)
  return Math.abs(correlation(ts, ms)) > MAX_TIME_CORRELATION
}

/**
 * Rows are only added between flushes: each fall of the memtables ends a cycle, even one
 * table's flush of several (flushes.ts asks more before it counts a flush of the load's rows).
 */
function flushesIn(pairs: readonly Pair[]): number {
  return pairs.filter((p, i) => i > 0 && p.m < (pairs[i - 1] as Pair).m).length
}

interface Pair {
  /** The sample's time, ms since the epoch. */
  at: number
  /** Minutes from the window's start. */
  t: number
  y: number
  m: number
}

/**
 * The plane fitted on the pairs that are not outliers. A sample taken just after a flush
 * whose poll came just before it reads full memtables over emptied memory (and one taken
 * between a flush and the collection after it, the reverse); at 30 s against a 50 s cycle
 * the same phase comes back every fifth sample, so two such pairs in ten drag a least-squares
 * fit, and leaving out the worst one at a time does not free it. So the fit is trimmed (least
 * trimmed squares by concentration steps: refitted on all but the TRIMMED_SHARE of pairs it
 * fits worst, until that set settles), and every pair within OUTLIER_SIGMA of the trimmed
 * fit's spread, or within OUTLIER_SWING_SHARE of the cycle's swing, is taken back for the
 * final fit.
 */
function robustPlane(pairs: readonly Pair[]): (PlaneFit & { pairs: readonly Pair[] }) | null {
  const full = fitPlane(pairs)
  if (!full || pairs.length < OUTLIER_MIN_POINTS) return full && { ...full, pairs }
  const h = Math.max(MIN_PAIRED_POINTS, Math.ceil((1 - TRIMMED_SHARE) * pairs.length))
  const fitsBest = (fit: PlaneFit): Pair[] =>
    [...pairs]
      .sort((a, b) => Math.abs(a.y - fit.predict(a)) - Math.abs(b.y - fit.predict(b)))
      .slice(0, h)
  const concentrate = (start: PlaneFit): { fit: PlaneFit; kept: Pair[]; sse: number } | null => {
    let fit = start
    let kept = fitsBest(fit)
    for (let step = 0; step < 20; step++) {
      const next = fitPlane(kept)
      if (!next) return null
      fit = next
      const again = fitsBest(fit)
      const was = new Set(kept)
      if (again.every((p) => was.has(p))) break
      kept = again
    }
    return { fit, kept, sse: kept.reduce((a, p) => a + (p.y - fit.predict(p)) ** 2, 0) }
  }
  // Started from the full fit and, on few pairs, from each fit that leaves one out: two
  // outliers can hold the full fit where the steps from it keep them.
  const starts = [full]
  if (pairs.length <= MAX_LEAVE_ONE_OUT_STARTS) {
    for (let i = 0; i < pairs.length; i++) {
      const f = fitPlane(pairs.filter((_, j) => j !== i))
      if (f) starts.push(f)
    }
  }
  let best: { fit: PlaneFit; kept: Pair[]; sse: number } | null = null
  for (const start of starts) {
    const c = concentrate(start)
    if (c && (!best || c.sse < best.sse)) best = c
  }
  if (!best) return null
  const { fit, kept, sse } = best
  const spread = Math.sqrt(sse / Math.max(1, kept.length - 3))
  // A reading that straddled a flush is off by much of the cycle's swing; a trimmed fit's
  // spread alone comes out small by chance (eight of ten points picked to fit), and judged by
  // it alone two flat samples in ten were dropped and the rest read as a leak.
  const ms = pairs.map((p) => p.m)
  const swing = Math.abs(fit.weight) * (maxOf(ms) - minOf(ms))
  const limit = Math.max(OUTLIER_SIGMA * spread, OUTLIER_SWING_SHARE * swing)
  const inliers = pairs.filter((p) => Math.abs(p.y - fit.predict(p)) <= limit)
  const final = fitPlane(inliers)
  return final && { ...final, pairs: inliers }
}

interface PlaneFit {
  weight: number
  weightSe: number
  partialR2: number
  /** Memory's slope over time beside the memtables, bytes per minute, and its standard error. */
  slope: number
  slopeSe: number
  predict: (p: Pair) => number
}

/**
 * y = a + b·t + c·m by least squares, c read Frisch–Waugh style: memory's and memtables'
 * residuals about their own lines, regressed on each other. Null when either is a line.
 */
function fitPlane(pairs: readonly Pair[]): PlaneFit | null {
  const ts = pairs.map((p) => p.t)
  const ys = pairs.map((p) => p.y)
  const ms = pairs.map((p) => p.m)
  const ry = residualsOf(ts, ys, ols(ts, ys))
  const rm = residualsOf(ts, ms, ols(ts, ms))
  const smm = rm.reduce((a, r) => a + r * r, 0)
  const syy = ry.reduce((a, r) => a + r * r, 0)
  if (!(smm > 0) || !(syy > 0)) return null
  const smy = rm.reduce((a, r, i) => a + r * (ry[i] as number), 0)
  const weight = smy / smm
  const line = ols(
    ts,
    ys.map((y, i) => y - weight * (ms[i] as number))
  )
  const residualVariance = Math.max(0, syy - weight * smy) / (pairs.length - 3)
  // (Time's own spread once the memtables are taken out of it, for the slope's error.)
  const stt = residualsOf(ms, ts, ols(ms, ts)).reduce((a, r) => a + r * r, 0)
  return {
    weight,
    weightSe: Math.sqrt(residualVariance / smm),
    partialR2: (smy * smy) / (smm * syy),
    slope: line.slope,
    slopeSe: stt > 0 ? Math.sqrt(residualVariance / stt) : Infinity,
    predict: (p) => line.intercept + line.slope * p.t + weight * p.m
  }
}

/** `points` less the cycle, as the cycle was fitted to be judged (FlushCycle.perCycle). */
export function lessFlushCycle(
  points: readonly Point[],
  memtables: readonly Point[],
  cycle: FlushCycle
): Point[] {
  if (cycle.perCycle) return withoutFlushCycle(points, memtables, cycle)
  return readingsLessCycle(points, memtables, cycle).flatMap((r) =>
    r.v === null ? [] : [{ t: r.t, v: r.v }]
  )
}

/**
 * Each point with a memtable reading taken with it (the others are skipped), with its value
 * less the cycle, or null when the fit left it out. Paired as the fit paired them (pairsIn).
 */
function readingsLessCycle(
  points: readonly Point[],
  memtables: readonly Point[],
  cycle: FlushCycle
): { t: number; m: number; v: number | null }[] {
  const leftOut = new Set(cycle.leftOut)
  const all = { from: points[0]?.t ?? 0, to: Infinity }
  return pairsIn(points, memtables, all).map((p) => ({
    t: p.at,
    m: p.m,
    v: leftOut.has(p.at) ? null : lessCycle(p.y, p.m, cycle)
  }))
}

/**
 * `points` less the cycle, v − c·(m − m̄), one point per flush cycle: the mean time and the
 * interquartile mean of what is left of the cycle's samples. What a flush and the allocator
 * leave differs from cycle to cycle, and every sample of a cycle shares it: judged sample by
 * sample, two 30 s samples a cycle made that share look like a trend's evidence twice over,
 * and a flat series whose last cycles happened to sit high read as a leak. A cycle ends where
 * the memtables fall (rows are only added between flushes). Points without a memtable
 * reading, and those the fit left out, are left out.
 */
export function withoutFlushCycle(
  points: readonly Point[],
  memtables: readonly Point[],
  cycle: FlushCycle
): Point[] {
  const cycles: Point[][] = []
  let previous = Infinity
  for (const { t, m, v } of readingsLessCycle(points, memtables, cycle)) {
    if (m < previous || cycles.length === 0) cycles.push([])
    previous = m
    if (v !== null) (cycles[cycles.length - 1] as Point[]).push({ t, v })
  }
  return cycles
    .filter((c) => c.length > 0)
    .map((c) => ({ t: mean(c.map((p) => p.t)), v: midMean(c.map((p) => p.v)) }))
}

/**
 * The samples with a memtable reading, `field` less the cycle in each (those the fit left
 * out, left out): what attribution regresses on the workload's counters, so bytes per insert
 * are not read off the sawtooth's aliasing either.
 */
export function samplesWithoutFlushCycle(
  samples: readonly Sample[],
  field: MemoryField,
  cycle: FlushCycle
): Sample[] {
  const leftOut = new Set(cycle.leftOut)
  const out: Sample[] = []
  for (const s of samples) {
    const m = memtableOf(s)
    const v = s[field]
    if (m === null || typeof v !== 'number' || leftOut.has(s.t)) continue
    out.push({ ...s, [field]: lessCycle(v, m, cycle) })
  }
  return out
}
