/**
 * The statistics of benchmarks and comparisons, as Criterion.rs does them: medians with
 * percentile-bootstrap confidence intervals, Tukey-fence outlier counts, and a rank test
 * (Mann–Whitney U) for "did the distribution move". Pure functions over plain arrays; every
 * random draw comes from a seeded generator, so the same data always gives the same answer.
 */
import { quantileInPlace } from '../analysis/select'
import { seededRandom } from '../analysis/stats'

/** A uniform generator on [0, 1). */
export type Rng = () => number

/** The seed every bootstrap uses unless told otherwise ("seed" in hex-speak). */
export const DEFAULT_SEED = 0x5eed

export function sortAsc(values: readonly number[]): number[] {
  return [...values].sort((x, y) => x - y)
}

/** Quantile of sorted data, linear interpolation between order statistics (Hyndman–Fan type 7). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length
  if (n === 0) return NaN
  if (n === 1) return sorted[0] as number
  const h = (n - 1) * Math.min(1, Math.max(0, q))
  const lo = Math.floor(h)
  const hi = Math.min(n - 1, lo + 1)
  const vlo = sorted[lo] as number
  return vlo + (h - lo) * ((sorted[hi] as number) - vlo)
}

export function quantile(values: readonly number[], q: number): number {
  return quantileSorted(sortAsc(values), q)
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5)
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return NaN
  let s = 0
  for (const v of values) s += v
  return s / values.length
}

/** Sample standard deviation (n − 1); 0 for fewer than two values. */
export function stdDev(values: readonly number[]): number {
  const n = values.length
  if (n < 2) return 0
  const m = mean(values)
  let s = 0
  for (const v of values) s += (v - m) * (v - m)
  return Math.sqrt(s / (n - 1))
}

function resampleInto(src: readonly number[], dst: Float64Array, rng: Rng): void {
  const n = src.length
  for (let i = 0; i < n; i++) dst[i] = src[Math.floor(rng() * n)]!
}

export interface BootstrapOptions {
  /**
   * Resamples (default 2000). Without it, above LARGE_SAMPLE values the order-statistic
   * interval is used instead: as exact there, and O(n log n) where a bootstrap of 30,000
   * latencies would take seconds per interval.
   */
  resamples?: number
  /** Confidence level (default 0.95). */
  confidence?: number
  seed?: number
}

function resampleCount(_n: number, o: BootstrapOptions): number {
  return o.resamples ?? 2000
}

/**
 * Above this many values, intervals come from order statistics, not resampling: at 500 even
 * a p95 has n·q·(1−q) ≈ 24, where the binomial's normal approximation behind them holds, and
 * a bootstrap would cost tenths of a second per interval.
 */
export const LARGE_SAMPLE = 500

function large(n: number, o: BootstrapOptions): boolean {
  return o.resamples === undefined && n > LARGE_SAMPLE
}

/** Order-statistic interval of a quantile of sorted data (see quantileRankInterval). */
function orderStatisticCi(
  sorted: ArrayLike<number>,
  q: number,
  confidence: number
): [number, number] {
  const [lo, hi] = quantileRankInterval(sorted.length, q, confidence)
  return [sorted[lo - 1]!, sorted[hi - 1]!]
}

/**
 * Percentile-bootstrap confidence interval of a quantile (q = 0.5: the median). For one
 * value the interval is that value; empty input gives [NaN, NaN].
 */
export function bootstrapQuantileCi(
  values: readonly number[],
  q = 0.5,
  options: BootstrapOptions = {}
): [number, number] {
  const n = values.length
  if (n === 0) return [NaN, NaN]
  if (n === 1) return [values[0]!, values[0]!]
  if (large(n, options)) return orderStatisticCi(sortAsc(values), q, options.confidence ?? 0.95)
  const rng = seededRandom(options.seed ?? DEFAULT_SEED)
  const b = resampleCount(n, options)
  const scratch = new Float64Array(n)
  const estimates = new Float64Array(b)
  for (let i = 0; i < b; i++) {
    resampleInto(values, scratch, rng)
    estimates[i] = quantileInPlace(scratch, n, q)
  }
  return percentileInterval(estimates, options.confidence ?? 0.95)
}

/**
 * Percentile-bootstrap interval of the relative change of a quantile from A to B,
 * q(B*) / q(A*) − 1, resampling each side independently. Resamples where A's quantile is
 * not positive are skipped (a ratio to zero means nothing); null when fewer than half remain.
 */
export function bootstrapChangeCi(
  a: readonly number[],
  b: readonly number[],
  q = 0.5,
  options: BootstrapOptions = {}
): [number, number] | null {
  if (a.length === 0 || b.length === 0) return null
  if (large(Math.max(a.length, b.length), options)) {
    // Interval arithmetic on the two sides' intervals: wider than a joint 95%, so what it
    // calls clear is clear.
    const ia = bootstrapQuantileCi(a, q, options)
    const ib = bootstrapQuantileCi(b, q, options)
    return ia[0] > 0 ? [ib[0] / ia[1] - 1, ib[1] / ia[0] - 1] : null
  }
  const rng = seededRandom(options.seed ?? DEFAULT_SEED)
  const reps = resampleCount(Math.max(a.length, b.length), options)
  const sa = new Float64Array(a.length)
  const sb = new Float64Array(b.length)
  const ratios: number[] = []
  for (let i = 0; i < reps; i++) {
    resampleInto(a, sa, rng)
    resampleInto(b, sb, rng)
    const qa = quantileInPlace(sa, a.length, q)
    const qb = quantileInPlace(sb, b.length, q)
    if (qa > 0) ratios.push(qb / qa - 1)
  }
  if (ratios.length < reps / 2) return null
  return percentileInterval(Float64Array.from(ratios), options.confidence ?? 0.95)
}

/**
 * Percentile-bootstrap interval of the absolute change of a quantile, q(B*) − q(A*): for
 * figures that sit near zero (memory kept per row), where a ratio means nothing.
 */
export function bootstrapDeltaCi(
  a: readonly number[],
  b: readonly number[],
  q = 0.5,
  options: BootstrapOptions = {}
): [number, number] | null {
  if (a.length === 0 || b.length === 0) return null
  if (large(Math.max(a.length, b.length), options)) {
    const ia = bootstrapQuantileCi(a, q, options)
    const ib = bootstrapQuantileCi(b, q, options)
    return [ib[0] - ia[1], ib[1] - ia[0]]
  }
  const rng = seededRandom(options.seed ?? DEFAULT_SEED)
  const reps = resampleCount(Math.max(a.length, b.length), options)
  const sa = new Float64Array(a.length)
  const sb = new Float64Array(b.length)
  const deltas = new Float64Array(reps)
  for (let i = 0; i < reps; i++) {
    resampleInto(a, sa, rng)
    resampleInto(b, sb, rng)
    deltas[i] = quantileInPlace(sb, b.length, q) - quantileInPlace(sa, a.length, q)
  }
  return percentileInterval(deltas, options.confidence ?? 0.95)
}

function percentileInterval(estimates: Float64Array, confidence: number): [number, number] {
  estimates.sort()
  const tail = (1 - confidence) / 2
  return [quantileSorted(estimates, tail), quantileSorted(estimates, 1 - tail)]
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 erf, |error| < 1.5e-7: ample for p-values). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2
  const t = 1 / (1 + 0.3275911 * x)
  const poly =
    t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
  const erf = 1 - poly * Math.exp(-x * x)
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf)
}

/** Two-sided p-value of a standard normal statistic. */
export function twoSidedP(z: number): number {
  if (!Number.isFinite(z)) return Number.isNaN(z) ? 1 : 0
  return Math.min(1, 2 * (1 - normalCdf(Math.abs(z))))
}

/** One distinct value with how often each side has it (histogram buckets, or raw data grouped). */
export interface RankGroup {
  value: number
  a: number
  b: number
}

export interface MannWhitney {
  /** U of sample A: pairs (a, b) with a > b, ties counting half. */
  u: number
  /** Normal approximation with tie and continuity correction. */
  z: number
  pValue: number
  /**
   * Probability that a value of A exceeds one of B (U / (nA·nB)): 0.5 = no shift. The
   * "common language" effect size.
   */
  probAGreater: number
  nA: number
  nB: number
}

/**
 * Mann–Whitney U test over grouped data (ties share their average rank). Works for raw
 * samples (see mannWhitney) and for histograms, whose buckets are natural tie groups.
 * Distribution-free: latency is skewed and heavy-tailed, so a t-test would mislead.
 */
export function mannWhitneyGrouped(groups: readonly RankGroup[]): MannWhitney {
  const sorted = [...groups].filter((g) => g.a + g.b > 0).sort((x, y) => x.value - y.value)
  let nA = 0
  let nB = 0
  for (const g of sorted) {
    nA += g.a
    nB += g.b
  }
  const n = nA + nB
  if (nA === 0 || nB === 0) return { u: NaN, z: 0, pValue: 1, probAGreater: 0.5, nA, nB }
  let rankBase = 0
  let rankSumA = 0
  let tieTerm = 0
  for (const g of sorted) {
    const t = g.a + g.b
    const avgRank = rankBase + (t + 1) / 2
    rankSumA += g.a * avgRank
    tieTerm += t * t * t - t
    rankBase += t
  }
  const u = rankSumA - (nA * (nA + 1)) / 2
  const mu = (nA * nB) / 2
  const variance = ((nA * nB) / 12) * (n + 1 - tieTerm / (n * (n - 1)))
  let z = 0
  if (variance > 0) {
    const diff = u - mu
    // Continuity correction: U moves in steps of 1/2 at least.
    const corrected = Math.sign(diff) * Math.max(0, Math.abs(diff) - 0.5)
    z = corrected / Math.sqrt(variance)
  }
  return { u, z, pValue: variance > 0 ? twoSidedP(z) : 1, probAGreater: u / (nA * nB), nA, nB }
}

/** Mann–Whitney U test of two raw samples. */
export function mannWhitney(a: readonly number[], b: readonly number[]): MannWhitney {
  const map = new Map<number, RankGroup>()
  for (const v of a) {
    const g = map.get(v)
    if (g) g.a++
    else map.set(v, { value: v, a: 1, b: 0 })
  }
  for (const v of b) {
    const g = map.get(v)
    if (g) g.b++
    else map.set(v, { value: v, a: 0, b: 1 })
  }
  return mannWhitneyGrouped([...map.values()])
}

export interface TukeyFences {
  q1: number
  q3: number
  iqr: number
  lowSevere: number
  lowMild: number
  highMild: number
  highSevere: number
}

/**
 * Outliers as Criterion counts them: beyond 1.5 IQR from the quartiles is mild, beyond 3
 * IQR severe. They are counted and reported, never removed: a slow request is a result.
 */
export function tukeyFences(values: readonly number[]): TukeyFences {
  const s = sortAsc(values)
  const q1 = quantileSorted(s, 0.25)
  const q3 = quantileSorted(s, 0.75)
  const iqr = q3 - q1
  const out = { q1, q3, iqr, lowSevere: 0, lowMild: 0, highMild: 0, highSevere: 0 }
  for (const v of s) {
    if (v < q1 - 3 * iqr) out.lowSevere++
    else if (v < q1 - 1.5 * iqr) out.lowMild++
    else if (v > q3 + 3 * iqr) out.highSevere++
    else if (v > q3 + 1.5 * iqr) out.highMild++
  }
  return out
}

/**
 * Distribution-free confidence interval of a quantile by order statistics: the ranks
 * (1-based, inclusive) between which the q-quantile lies with the given confidence, from
 * the binomial's normal approximation. For histograms, where resampling millions of values
 * would be waste.
 */
export function quantileRankInterval(n: number, q: number, confidence = 0.95): [number, number] {
  if (n <= 0) return [0, 0]
  const z = normalQuantile(1 - (1 - confidence) / 2)
  const centre = n * q
  const half = z * Math.sqrt(n * q * (1 - q))
  const lo = Math.max(1, Math.floor(centre - half))
  const hi = Math.min(n, Math.ceil(centre + half) + 1)
  return [lo, hi]
}

/**
 * Inverse standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9).
 */
export function normalQuantile(p: number): number {
  if (p <= 0) return -Infinity
  if (p >= 1) return Infinity
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239
  ]
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572
  ]
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734,
    4.374664141464968, 2.938163982698783
  ]
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416]
  const low = 0.02425
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p))
    return (
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
    )
  }
  if (p > 1 - low) return -normalQuantile(1 - p)
  const q = p - 0.5
  const r = q * q
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  )
}

/**
 * At most `max` values, chosen uniformly at random (seeded) and kept in their original
 * order, so a long run's raw samples stay a bounded size in a result file.
 */
export function thin(values: readonly number[], max: number, seed = DEFAULT_SEED): number[] {
  if (values.length <= max) return [...values]
  const rng = seededRandom(seed)
  // Reservoir of indices (Algorithm R), then back into time order.
  const keep: number[] = []
  for (let i = 0; i < values.length; i++) {
    if (i < max) keep.push(i)
    else {
      const j = Math.floor(rng() * (i + 1))
      if (j < max) keep[j] = i
    }
  }
  keep.sort((x, y) => x - y)
  return keep.map((i) => values[i]!)
}

/** Everything BenchStatistics holds, from raw samples (n = 0 gives NaN figures). */
export function summarizeSamples(
  values: readonly number[],
  options: BootstrapOptions = {}
): {
  n: number
  median: number
  p25: number
  medianCi95: [number, number]
  mean: number
  stdDev: number
  min: number
  max: number
  p95: number
  p99: number
  outliers: { lowSevere: number; lowMild: number; highMild: number; highSevere: number }
} {
  const s = sortAsc(values)
  const f = tukeyFences(s)
  return {
    n: s.length,
    median: quantileSorted(s, 0.5),
    p25: quantileSorted(s, 0.25),
    medianCi95: bootstrapQuantileCi(values, 0.5, options),
    mean: mean(s),
    stdDev: stdDev(s),
    min: s.length > 0 ? s[0]! : NaN,
    max: s.length > 0 ? s[s.length - 1]! : NaN,
    p95: quantileSorted(s, 0.95),
    p99: quantileSorted(s, 0.99),
    outliers: {
      lowSevere: f.lowSevere,
      lowMild: f.lowMild,
      highMild: f.highMild,
      highSevere: f.highSevere
    }
  }
}
