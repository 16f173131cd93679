/**
 * Did growth stop? The best broken line through a series (a head, then a tail of at least
 * MIN_TAIL_FRACTION of the window) against one straight line: a break that explains the
 * series far better, with a tail that does not grow, is a step then a plateau, a warm-up, or
 * a rise then a fall (trend.ts, step 5 of its rule). Pure functions over the points trend.ts
 * judges (bins or troughs), slopes in bytes per minute.
 */
import type { Point } from './growth'
import {
  fitPerMinute,
  fQuantile,
  inflateForAutocorrelation,
  MINUTE,
  ols,
  olsSse,
  residualsOf,
  slopeInterval,
  type LineFit
} from './stats'

/** The tail of a broken line covers at least a fifth of the window (a plateau must be seen). */
export const MIN_TAIL_FRACTION = 0.2

/**
 * A plateau on a tail of fewer than MIN_TAIL_POINTS points (ten samples every 30 s leave five
 * for the late half) whose interval still reaches the leak margin rests on the break alone:
 * the break must then be real at this confidence by itself, not just at the family rate over
 * the splits tried (95 % over four splits: 98.75 %). A slow leak under autocorrelated noise
 * bent by chance that much (F ≈ 10 on 2 and 6 degrees of freedom, the 98.8th percentile) and
 * was called levelled-off; a real step of 3 % or more on ten points gives F ≈ 20 or more.
 * (99.9 % was too strict: a 3 % step at 70 % of the window, F ≈ 22, was then missed.)
 */
export const FEW_TAIL_BREAK_CONFIDENCE = 0.99

/** Segments with fewer points than this are not fitted on their own. */
export const MIN_SEGMENT_POINTS = 4

/** The tail of a broken line needs this many points: a plateau on fewer is luck. */
export const MIN_TAIL_POINTS = 6

/**
 * A broken line "explains the series far better" when its squared residuals are under this
 * share of one line's. Two extra parameters buy ~15 % on pure noise; a real step or plateau
 * buys far more than half.
 */
export const BREAK_RATIO = 0.5

/**
 * Confidence of the F test that a break is real. The split tested is the best of several, so
 * the test is held to BREAK_FAMILY_CONFIDENCE for all the splits tried together (Bonferroni),
 * but never stricter than BREAK_CONFIDENCE: neighbouring splits of forty bins are nearly the
 * same test, and dividing by all of them would make a plain step unprovable. Ten samples taken
 * every 30 s try four splits: a 3 % step under 0.3 % noise must be seen as one (at 99.9 % it
 * was not, and the step passed for a leak).
 */
export const BREAK_CONFIDENCE = 0.999

/** See BREAK_CONFIDENCE. */
export const BREAK_FAMILY_CONFIDENCE = 0.95

/**
 * A late half that surely grows at the leak margin is overturned by a flat (or falling) tail
 * inside it only when the break before it is sharp (its broken line leaves under this share
 * of one line's squared residuals) and its tail has MIN_TAIL_POINTS or more, however surely
 * the tail grows less than the leak margin. A step leaves a few per cent; a slow leak under
 * slowly wandering noise (AR, 10 s memory) bent flat for its last 45 s left 47 % and was
 * called levelled-off although its late half rose at 1.9 %/min; a 2 %/min leak sampled every
 * 30 s with one jump before its last four points was called levelled-off on those four (tail
 * 0.7 %/min, 95 % up to 2.3).
 */
export const LOOSE_BREAK_RATIO = 0.3

/**
 * A plateau resting on its tail's estimate (the tail's interval still reaching the leak
 * margin) needs that interval under the overall slope, on series of this many points or more:
 * slowly wandering noise at 10 Hz lifted a 2 %/min leak by 4 % in 20 s and left a tail of
 * 0.7 %/min whose interval reached 2.5 %/min, above the line's own 2.2 — a step to anyone who
 * looks, but nothing shows the growth slowed. Ten samples 30 s apart (one point a sample)
 * keep the estimate alone: their tails' intervals are wide by nature, and asking it cost every
 * step and warm-up sampled every 30 s its stable verdict.
 */
export const SLOWER_TAIL_MIN_POINTS = 20

/** A late slope surely below this share of the overall slope is "growing slower". */
export const SLOWER_RATIO = 0.5

export interface Break {
  /** Index in the series where the tail starts. */
  k: number
  /** Start of the tail, ms since the epoch. */
  from: number
  tail: LineFit
  tailCi95: [number, number]
  /** The tail line's value at the last point. */
  tailEnd: number
  ratio: number
  /** Splits tried (the best of them is this one). */
  splits: number
}

/**
 * The best broken line: every split that leaves a tail of at least MIN_TAIL_FRACTION of the
 * window (and MIN_SEGMENT_POINTS points) and a head of MIN_SEGMENT_POINTS is tried, each side
 * its own OLS line; the split with the least squared residuals wins. Null when none fits.
 */
export function bestBreak(
  series: readonly Point[],
  from: number,
  durationMs: number,
  floor: number,
  floorDf: number,
  rho = 0
): Break | null {
  const xs = series.map((p) => (p.t - from) / MINUTE)
  const ys = series.map((p) => p.v)
  const whole = olsSse(xs, ys)
  const latest = from + (1 - MIN_TAIL_FRACTION) * durationMs
  // Ten samples every 30 s can show a step: there a head of 3 and a tail of 4 points are
  // tried (the F test's few degrees of freedom keep it honest).
  const few = series.length < 20
  const minHead = few ? 3 : MIN_SEGMENT_POINTS
  const minTail = few ? MIN_SEGMENT_POINTS : MIN_TAIL_POINTS
  let best: { k: number; sse: number } | null = null
  let splits = 0
  for (let k = minHead; k <= series.length - minTail; k++) {
    if ((series[k] as Point).t > latest) break
    splits++
    const sse = olsSse(xs.slice(0, k), ys.slice(0, k)) + olsSse(xs.slice(k), ys.slice(k))
    if (!best || sse < best.sse) best = { k, sse }
  }
  if (!best) return null
  // The point the break falls on often mixes both levels (a bin across a step): a long tail
  // is fitted without it, so it cannot tilt the plateau.
  const skip = series.length - best.k > MIN_TAIL_POINTS + 2 ? 1 : 0
  const tailPoints = series.slice(best.k + skip)
  const tail = inflateForAutocorrelation(fitPerMinute(tailPoints, from, floor, floorDf), rho)
  const last = tailPoints[tailPoints.length - 1] as Point
  return {
    k: best.k,
    from: (tailPoints[0] as Point).t,
    tail,
    tailCi95: slopeInterval(tail, 0.95),
    tailEnd: tail.intercept + tail.slope * ((last.t - from) / MINUTE),
    ratio: whole > 0 ? best.sse / whole : 1,
    splits
  }
}

/**
 * Is a break in the series real? The broken line must cut the squared residuals of one line
 * by more than half (BREAK_RATIO) and pass an F test (2 extra parameters), strict because the
 * split point was chosen to fit best (see BREAK_CONFIDENCE). `atLeast` raises the confidence
 * asked (see FEW_TAIL_BREAK_CONFIDENCE).
 */
export function breakIsReal(b: Break, n: number, atLeast = 0): boolean {
  if (b.ratio >= BREAK_RATIO || n <= 4) return false
  const f = (1 - b.ratio) / 2 / (Math.max(b.ratio, 1e-12) / (n - 4))
  const confidence = Math.max(
    atLeast,
    Math.min(BREAK_CONFIDENCE, 1 - (1 - BREAK_FAMILY_CONFIDENCE) / Math.max(1, b.splits))
  )
  return f > fQuantile(confidence, 2, n - 4)
}

/**
 * Growth stopped after a real break (a step, a bend, a peak): the best split's tail does not
 * grow — not significantly above zero, or surely under the leak margin — and its estimate is
 * under the leak margin or half the overall slope. When the late half surely grows, only a
 * sharp break with a long enough tail stops it (LOOSE_BREAK_RATIO), even a tail that surely
 * falls: slowly wandering noise at 1 s bent the last 70 s of a 2 %/min leak down by 1.5 %/min
 * (95 % to -0.75) after a loose break (43 % of one line's residuals left), and it read as
 * given back. Only the best split is asked: scanning every split would find some short noisy
 * tail that looks flat on a real leak. When the tail's interval reaches the leak margin, the
 * plateau rests on its estimate; on a tail of fewer than MIN_TAIL_POINTS that estimate is too
 * rough to carry it, and the break must be real at FEW_TAIL_BREAK_CONFIDENCE; on a series of
 * SLOWER_TAIL_MIN_POINTS or more its interval must also stay under the overall slope (surely
 * slower than the whole line).
 */
export function plateauAfterBreak(
  brk: Break,
  n: number,
  overallSlope: number,
  leakMargin: number,
  lateGrows: boolean
): boolean {
  if (!breakIsReal(brk, n)) return false
  const [lo, hi] = brk.tailCi95
  if (lo > 0 && brk.tail.slope >= leakMargin) return false
  if (lateGrows && (brk.ratio >= LOOSE_BREAK_RATIO || brk.tail.n < MIN_TAIL_POINTS)) return false
  if (hi < leakMargin) return true
  if (brk.tail.n < MIN_TAIL_POINTS && !breakIsReal(brk, n, FEW_TAIL_BREAK_CONFIDENCE)) return false
  if (n >= SLOWER_TAIL_MIN_POINTS && hi >= overallSlope) return false
  return brk.tail.slope < Math.max(leakMargin, SLOWER_RATIO * overallSlope)
}

/**
 * Residuals of the best model of the series: two OLS segments when the best break is real,
 * else the fitted line.
 */
export function modelResiduals(
  series: readonly Point[],
  from: number,
  line: LineFit,
  brk: Break | null
): number[] {
  const xs = series.map((p) => (p.t - from) / MINUTE)
  const ys = series.map((p) => p.v)
  if (!brk || !breakIsReal(brk, series.length)) return residualsOf(xs, ys, line)
  const head = ols(xs.slice(0, brk.k), ys.slice(0, brk.k))
  const tail = ols(xs.slice(brk.k), ys.slice(brk.k))
  return [
    ...residualsOf(xs.slice(0, brk.k), ys.slice(0, brk.k), head),
    ...residualsOf(xs.slice(brk.k), ys.slice(brk.k), tail)
  ]
}
