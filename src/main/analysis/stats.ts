/**
 * The statistics the analysis needs, kept small and exact enough: robust location and
 * scale, Theil–Sen slope with a residual-based interval, ordinary least squares with R²,
 * Student-t quantiles, and time binning. Pure functions over plain arrays.
 */
import { median, type Point } from './growth'
import { medianInPlace } from './select'

/** Median absolute deviation around the median; 0 for an empty list. */
export function mad(values: readonly number[]): number {
  const m = median(values)
  if (m === null) return 0
  return median(values.map((v) => Math.abs(v - m))) ?? 0
}

/**
 * Robust standard deviation: 1.4826 × MAD (consistent for normal noise). When more than
 * half the values are identical (page-quantised memory often is) the MAD is 0; the mean
 * absolute deviation (× √(π/2)) then still sees the rest, so a series is never called
 * noiseless while it moves.
 */
export function robustSigma(values: readonly number[]): number {
  const s = 1.4826 * mad(values)
  if (s > 0 || values.length === 0) return s
  const m = median(values) ?? 0
  const meanAbs = values.reduce((acc, v) => acc + Math.abs(v - m), 0) / values.length
  return 1.2533 * meanAbs
}

export interface LineFit {
  slope: number
  intercept: number
  /** Standard error of the slope. */
  slopeSe: number
  /** Points used. */
  n: number
  /** Degrees of freedom of the slope's t interval. */
  df: number
}

/**
 * A MAD estimates σ with 37 % of the efficiency of a standard deviation, so an interval built
 * on one gets that share of the usual degrees of freedom.
 */
export const MAD_EFFICIENCY = 0.37

/** Below this many points a fit's spread is the larger of MAD and RMS (see theilSen). */
export const FEW_POINTS = 20

/**
 * A residual beyond this many σ of the others is an outlier (a spike, a torn value), not
 * spread (see withoutOutliers).
 */
export const OUTLIER_SIGMA = 4
/**
 * …on this many points or more. On fewer, four points that happen to fall in a line make the
 * fifth look like an outlier: nothing tells a spike from the spread there.
 */
export const OUTLIER_MIN_POINTS = 8

/**
 * The residuals less their outliers: the largest is left out while it lies beyond
 * OUTLIER_SIGMA times the RMS of the others, and while OUTLIER_MIN_POINTS remain. The point
 * tested is measured against the others only: a Theil–Sen line on few points passes through
 * about half of them, so their MAD comes out far below the spread: judged by it, three of
 * eight troughs of a flat flush sawtooth were "outliers" and the slope's interval a quarter as
 * wide as their spread allows. A spike stands out of the others' spread all the same.
 */
export function withoutOutliers(residuals: readonly number[]): number[] {
  let kept = [...residuals]
  while (kept.length >= OUTLIER_MIN_POINTS) {
    let worst = 0
    for (let i = 1; i < kept.length; i++) {
      if (Math.abs(kept[i] as number) > Math.abs(kept[worst] as number)) worst = i
    }
    const others = kept.filter((_, i) => i !== worst)
    const rms = Math.sqrt(others.reduce((a, r) => a + r * r, 0) / (others.length - 2))
    if (Math.abs(kept[worst] as number) <= OUTLIER_SIGMA * rms) break
    kept = others
  }
  return kept
}

/** Up to this share of the points may be spikes (see spikeIndices). */
export const SPIKE_MAX_SHARE = 0.2

/**
 * Indices of the residuals that are spikes: the most k of them (k up to SPIKE_MAX_SHARE of
 * the points) whose smallest lies beyond OUTLIER_SIGMA times the RMS of the rest, tested
 * together so that two spikes do not hide each other (withoutOutliers tests one at a time,
 * and a second spike in the rest keeps the first). Empty below OUTLIER_MIN_POINTS.
 */
export function spikeIndices(residuals: readonly number[]): number[] {
  const n = residuals.length
  if (n < OUTLIER_MIN_POINTS) return []
  const order = residuals
    .map((_, i) => i)
    .sort((a, b) => Math.abs(residuals[b] as number) - Math.abs(residuals[a] as number))
  for (let k = Math.floor(SPIKE_MAX_SHARE * n); k >= 1; k--) {
    const rest = order.slice(k).map((i) => residuals[i] as number)
    const rms = Math.sqrt(rest.reduce((a, r) => a + r * r, 0) / (rest.length - 2))
    if (Math.abs(residuals[order[k - 1] as number] as number) > OUTLIER_SIGMA * rms) {
      return order.slice(0, k).sort((a, b) => a - b)
    }
  }
  return []
}

/**
 * Lag-1 autocorrelation of residuals in time order, clamped to [0, MAX_AUTOCORRELATION];
 * 0 for fewer than 8 points or when it is within chance of 0.
 */
export function lag1Autocorrelation(residuals: readonly number[]): number {
  return lagAutocorrelation(residuals, 1)
}

/**
 * Autocorrelation of residuals `lag` points apart, clamped to [0, MAX_AUTOCORRELATION]; 0 for
 * fewer than 8 lags' worth of points or when it is within chance of 0 (judged on n / lag
 * points: neighbours closer than the lag say little of their own).
 */
export function lagAutocorrelation(residuals: readonly number[], lag: number): number {
  const n = residuals.length
  if (lag < 1 || n < 8 * lag) return 0
  const m = mean(residuals)
  let num = 0
  let den = 0
  for (let i = 0; i < n; i++) {
    const d = (residuals[i] as number) - m
    den += d * d
    if (i + lag < n) num += d * ((residuals[i + lag] as number) - m)
  }
  if (den <= 0) return 0
  const rho = num / den
  // Independent noise shows ρ̂ of ±1/√n by chance: only a correlation beyond one-sided 95 %
  // of that is taken as real (else every interval would widen a little at random).
  if (rho <= 1.645 / Math.sqrt(n / lag)) return 0
  return Math.min(MAX_AUTOCORRELATION, rho)
}

/**
 * The correlation of the means of two neighbouring blocks of `length` samples whose noise is
 * AR(1) with lag-1 correlation `rho`: what forty bins of slowly wandering memory share. Read
 * from the samples' lag-1 correlation it is sharper than the correlation measured `length`
 * samples apart (ρ^length), which sees only the blocks' nearest samples: AR(0.9) noise in
 * blocks of 7 gives 0.63, not 0.48.
 */
export function blockMeanCorrelation(rho: number, length: number): number {
  if (rho <= 0 || length < 1) return 0
  const n = Math.round(length)
  let within = n
  let across = 0
  let power = 1
  for (let k = 1; k < 2 * n; k++) {
    power *= rho
    if (k < n) within += 2 * (n - k) * power
    across += (n - Math.abs(k - n)) * power
  }
  return Math.min(MAX_AUTOCORRELATION, across / within)
}

/** Autocorrelation is capped here: beyond it the series is a trend or a wave, not noise. */
export const MAX_AUTOCORRELATION = 0.8

/**
 * A slope fitted on autocorrelated points knows less than its residuals say: with AR(1)
 * correlation ρ the variance of the slope grows by (1 + ρ)/(1 − ρ) and the points are worth
 * that many times fewer (the usual effective-sample-size correction).
 */
export function inflateForAutocorrelation(fit: LineFit, rho: number): LineFit {
  if (rho <= 0) return fit
  const factor = (1 + rho) / (1 - rho)
  return {
    ...fit,
    slopeSe: fit.slopeSe * Math.sqrt(factor),
    df: Math.max(1, Math.round(fit.df / factor))
  }
}

/** Residuals of a line through the points, in their order. */
export function residualsOf(
  xs: readonly number[],
  ys: readonly number[],
  fit: { slope: number; intercept: number }
): number[] {
  return ys.map((y, i) => y - fit.intercept - fit.slope * (xs[i] as number))
}

/**
 * Theil–Sen line (median of pairwise slopes; breakdown point 29 %, so a step, a spike or a
 * torn sample cannot drag it) with a standard error from the spread of its residuals:
 * σ̂ / √Σ(x − x̄)². A handful of residuals can come out tight by luck; `sigmaFloor` (noise known from elsewhere, e.g. the
 * sample-to-sample spread) keeps the interval from claiming more than the data hold; when it
 * is the larger, the interval takes its degrees of freedom (`floorDf`).
 * O(n²): callers bin first.
 */
export function theilSen(
  xs: readonly number[],
  ys: readonly number[],
  sigmaFloor = 0,
  floorDf = 0
): LineFit {
  const n = Math.min(xs.length, ys.length)
  const slopes = new Float64Array((n * (n - 1)) / 2)
  let count = 0
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = (xs[j] as number) - (xs[i] as number)
      if (dx !== 0) slopes[count++] = ((ys[j] as number) - (ys[i] as number)) / dx
    }
  }
  const slope = count > 0 ? medianInPlace(slopes, count) : 0
  const intercept = median(ys.slice(0, n).map((y, i) => y - slope * (xs[i] as number))) ?? 0
  const residuals = ys.slice(0, n).map((y, i) => y - intercept - slope * (xs[i] as number))
  const sxx = sumSquaredDeviations(xs.slice(0, n))
  // On many points the robust spread (MAD) rules: a step or a few wild residuals do not widen
  // it, and a t with MAD_EFFICIENCY of the n − 2 degrees of freedom keeps it honest. On few
  // points a MAD can come out small by luck: there the larger of it and the plain RMS is used,
  // as honest as a standard deviation (n − 2 df) and only ever wider.
  // The RMS leaves out outliers (a spike in a series of ten samples every 30 s must not widen
  // the interval the way ten spikes would).
  const robust = robustSigma(residuals)
  const few = n < FEW_POINTS
  const kept = !few || n < OUTLIER_MIN_POINTS ? residuals : withoutOutliers(residuals)
  const rms =
    kept.length > 2 ? Math.sqrt(kept.reduce((a, r) => a + r * r, 0) / (kept.length - 2)) : 0
  const own = few ? Math.max(robust, rms) : robust
  const slopeSe = n > 2 && sxx > 0 ? Math.max(own, sigmaFloor) / Math.sqrt(sxx) : Infinity
  const ownDf = Math.max(1, few ? n - 2 : Math.round(MAD_EFFICIENCY * (n - 2)))
  return { slope, intercept, slopeSe, n, df: sigmaFloor > own ? Math.max(ownDf, floorDf) : ownDf }
}

export interface OlsFit extends LineFit {
  /** Coefficient of determination, 0..1 (0 when y does not vary). */
  r2: number
}

/** Means and centred sums of squares and products of paired values (the first n of each). */
function moments(
  xs: readonly number[],
  ys: readonly number[]
): { n: number; mx: number; my: number; sxx: number; sxy: number; syy: number } {
  const n = Math.min(xs.length, ys.length)
  const mx = mean(xs.slice(0, n))
  const my = mean(ys.slice(0, n))
  let sxx = 0
  let sxy = 0
  let syy = 0
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - mx
    const dy = (ys[i] as number) - my
    sxx += dx * dx
    sxy += dx * dy
    syy += dy * dy
  }
  return { n, mx, my, sxx, sxy, syy }
}

/** Ordinary least squares y = a + b·x with the slope's standard error and R². */
export function ols(xs: readonly number[], ys: readonly number[]): OlsFit {
  const { n, mx, my, sxx, sxy, syy } = moments(xs, ys)
  const slope = sxx > 0 ? sxy / sxx : 0
  const intercept = my - slope * mx
  const sse = Math.max(0, syy - slope * sxy)
  const slopeSe = n > 2 && sxx > 0 ? Math.sqrt(sse / (n - 2) / sxx) : Infinity
  const r2 = syy > 0 && sxx > 0 ? Math.min(1, Math.max(0, (sxy * sxy) / (sxx * syy))) : 0
  return { slope, intercept, slopeSe, n, df: Math.max(1, n - 2), r2 }
}

/** Pearson correlation; 0 when either side is constant. */
export function correlation(xs: readonly number[], ys: readonly number[]): number {
  const { sxx, sxy, syy } = moments(xs, ys)
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0
}

/**
 * Noise of single samples, from the spread of sample-to-sample changes: 1.4826 · MAD(Δ) / √2.
 * A trend, a step or a sawtooth barely moves it (they change few differences or all by the
 * same amount), so it is the noise floor every interval is held to.
 */
export function pointNoise(values: readonly number[]): number {
  if (values.length < 3) return 0
  const diffs = values.slice(1).map((v, i) => v - (values[i] as number))
  return (1.4826 * mad(diffs)) / Math.SQRT2
}

/** Residual sum of squares of the OLS line through the points (0 for fewer than 3). */
export function olsSse(xs: readonly number[], ys: readonly number[]): number {
  const n = Math.min(xs.length, ys.length)
  if (n < 3) return 0
  const fit = ols(xs, ys)
  let sse = 0
  for (let i = 0; i < n; i++) {
    const r = (ys[i] as number) - fit.intercept - fit.slope * (xs[i] as number)
    sse += r * r
  }
  return sse
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return 0
  return values.reduce((a, b) => a + b, 0) / values.length
}

export function sumSquaredDeviations(values: readonly number[]): number {
  const m = mean(values)
  return values.reduce((acc, v) => acc + (v - m) * (v - m), 0)
}

/** Confidence interval of a fitted slope at `level` (two-sided), Student-t with the fit's df. */
export function slopeInterval(fit: LineFit, level = 0.95): [number, number] {
  if (!Number.isFinite(fit.slopeSe) || fit.n < 3) return [-Infinity, Infinity]
  const q = tQuantile(1 - (1 - level) / 2, fit.df)
  return [fit.slope - q * fit.slopeSe, fit.slope + q * fit.slopeSe]
}

/**
 * Interquartile mean: the mean of the middle half. Nearly as efficient as the mean on
 * normal noise (~90 %) and, like the median, unmoved by a spike or a torn sample.
 */
export function midMean(values: readonly number[]): number {
  if (values.length === 0) return 0
  const sorted = [...values].sort((a, b) => a - b)
  const cut = Math.floor(sorted.length / 4)
  return mean(sorted.slice(cut, sorted.length - cut))
}

/**
 * Splits points into `bins` equal spans of time and keeps one point per non-empty bin: the
 * median time and the interquartile mean of the values. Binning makes the interval honest
 * when neighbouring samples are correlated (memory noise is: allocator and GC cycles last
 * seconds) and keeps Theil–Sen's O(n²) small. With no more points than bins the points are
 * returned as they are.
 */
export function binLevels(points: readonly Point[], bins: number): Point[] {
  if (points.length <= bins || points.length < 2) return [...points]
  const t0 = (points[0] as Point).t
  const span = (points[points.length - 1] as Point).t - t0
  if (span <= 0) return [{ t: t0, v: midMean(points.map((p) => p.v)) }]
  const groups: Point[][] = Array.from({ length: bins }, () => [])
  for (const p of points) {
    const i = Math.min(bins - 1, Math.floor(((p.t - t0) / span) * bins))
    ;(groups[i] as Point[]).push(p)
  }
  return groups
    .filter((g) => g.length > 0)
    .map((g) => ({ t: median(g.map((p) => p.t)) as number, v: midMean(g.map((p) => p.v)) }))
}

// ---- Student t -------------------------------------------------------------------------

/** Quantile of Student's t with `df` degrees of freedom (bisection on the CDF). */
export function tQuantile(p: number, df: number): number {
  if (df <= 0 || !Number.isFinite(df)) return Infinity
  if (p === 0.5) return 0
  if (p < 0.5) return -tQuantile(1 - p, df)
  let lo = 0
  let hi = 1
  while (tCdf(hi, df) < p && hi < 1e6) hi *= 2
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2
    if (tCdf(mid, df) < p) lo = mid
    else hi = mid
  }
  return (lo + hi) / 2
}

/** CDF of Student's t. */
export function tCdf(t: number, df: number): number {
  const x = df / (df + t * t)
  const tail = 0.5 * regularizedIncompleteBeta(x, df / 2, 0.5)
  return t >= 0 ? 1 - tail : tail
}

/** CDF of the F distribution with (d1, d2) degrees of freedom. */
export function fCdf(f: number, d1: number, d2: number): number {
  if (f <= 0) return 0
  return regularizedIncompleteBeta((d1 * f) / (d1 * f + d2), d1 / 2, d2 / 2)
}

/** Quantile of the F distribution (bisection on the CDF). */
export function fQuantile(p: number, d1: number, d2: number): number {
  if (d1 <= 0 || d2 <= 0) return Infinity
  let lo = 0
  let hi = 1
  while (fCdf(hi, d1, d2) < p && hi < 1e9) hi *= 2
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2
    if (fCdf(mid, d1, d2) < p) lo = mid
    else hi = mid
  }
  return (lo + hi) / 2
}

/** I_x(a, b) by Lentz's continued fraction (Numerical Recipes §6.4). */
function regularizedIncompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0
  if (x >= 1) return 1
  const lnFront =
    logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x)
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(lnFront) * betaFraction(x, a, b)) / a
  return 1 - (Math.exp(lnFront) * betaFraction(1 - x, b, a)) / b
}

function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300
  let c = 1
  let d = 1 - ((a + b) * x) / (a + 1)
  if (Math.abs(d) < tiny) d = tiny
  d = 1 / d
  let h = d
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2))
    d = 1 + aa * d
    if (Math.abs(d) < tiny) d = tiny
    c = 1 + aa / c
    if (Math.abs(c) < tiny) c = tiny
    d = 1 / d
    h *= d * c
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1))
    d = 1 + aa * d
    if (Math.abs(d) < tiny) d = tiny
    c = 1 + aa / c
    if (Math.abs(c) < tiny) c = tiny
    d = 1 / d
    const del = d * c
    h *= del
    if (Math.abs(del - 1) < 1e-12) break
  }
  return h
}

/** Lanczos approximation of ln Γ(x). */
function logGamma(x: number): number {
  const g = [
    76.18009172947146, -86.50532032941678, 24.01409824083091, -1.231739572450155,
    0.001208650973866179, -0.5395239384953e-5
  ]
  let y = x
  const tmp = x + 5.5 - (x + 0.5) * Math.log(x + 5.5)
  let ser = 1.00000000019001
  for (const c of g) ser += c / ++y
  return -tmp + Math.log((2.5066282746310007 * ser) / x)
}

/** Milliseconds in a minute: slopes are in bytes per minute. */
export const MINUTE = 60_000

/** Theil–Sen with x in minutes from `origin`, so the slope is bytes per minute. */
export function fitPerMinute(
  series: readonly Point[],
  origin: number,
  sigmaFloor = 0,
  floorDf = 0
): LineFit {
  return theilSen(
    series.map((p) => (p.t - origin) / MINUTE),
    series.map((p) => p.v),
    sigmaFloor,
    floorDf
  )
}

/**
 * Mulberry32: a tiny fixed-seed PRNG (32-bit state), so every run sees the same "random"
 * numbers: synthetic noise, and the bootstrap's resamples, which must not change a report when
 * it is rendered again.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
