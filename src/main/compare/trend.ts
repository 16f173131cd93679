/**
 * A memory trend for the comparison when the analysis gives none with an interval: least
 * squares over time bins (medians of up to 60 equal bins, so neighbouring samples' shared
 * noise does not pass for many independent points) with a t interval. And the per-sample
 * noise of a series, from first differences, robust to the trend itself.
 */
import { median, normalQuantile } from './stats'

/** A closed time range, ms since the epoch. */
export interface Window {
  from: number
  to: number
}

/** Time bins: few enough that adjacent bins are nearly independent, enough for a fit. */
const MAX_BINS = 60
const MIN_BINS = 4

/** Student-t quantile by the Cornish–Fisher expansion (good to ~1% for df ≥ 3). */
export function tQuantile(p: number, df: number): number {
  const z = normalQuantile(p)
  const z3 = z * z * z
  const z5 = z3 * z * z
  return z + (z3 + z) / (4 * df) + (5 * z5 + 16 * z3 + 3 * z) / (96 * df * df)
}

export function ownSlope(
  points: readonly { t: number; v: number }[]
): { slopeBytesPerMin: number; ci95: [number, number] } | null {
  if (points.length === 0) return null
  const t0 = points[0]!.t
  const fit = binnedFit(points.map((p) => ({ x: (p.t - t0) / 60_000, y: p.v })))
  return fit ? { slopeBytesPerMin: fit.slope, ci95: fit.ci95 } : null
}

/**
 * Least squares of y on x over bins of x (medians of up to 60 equal-width bins), with a t
 * interval of the slope; null with fewer than four filled bins or no spread in x.
 */
export function binnedFit(
  points: readonly { x: number; y: number }[]
): { slope: number; ci95: [number, number]; bins: number } | null {
  if (points.length < MIN_BINS) return null
  const sorted = [...points].sort((p, q) => p.x - q.x)
  const x0 = sorted[0]!.x
  const span = sorted[sorted.length - 1]!.x - x0
  if (!(span > 0)) return null
  const bins = Math.min(MAX_BINS, Math.floor(sorted.length / 2) || 1)
  const groups: { x: number[]; y: number[] }[] = Array.from({ length: bins }, () => ({
    x: [],
    y: []
  }))
  for (const p of sorted) {
    const i = Math.min(bins - 1, Math.floor(((p.x - x0) / span) * bins))
    groups[i]!.x.push(p.x)
    groups[i]!.y.push(p.y)
  }
  const xs: number[] = []
  const ys: number[] = []
  for (const g of groups) {
    if (g.y.length === 0) continue
    xs.push(median(g.x))
    ys.push(median(g.y))
  }
  const n = xs.length
  if (n < MIN_BINS) return null
  const mx = xs.reduce((s, x) => s + x, 0) / n
  const my = ys.reduce((s, y) => s + y, 0) / n
  let sxx = 0
  let sxy = 0
  for (let i = 0; i < n; i++) {
    sxx += (xs[i]! - mx) ** 2
    sxy += (xs[i]! - mx) * (ys[i]! - my)
  }
  if (!(sxx > 0)) return null
  const slope = sxy / sxx
  let sse = 0
  for (let i = 0; i < n; i++) sse += (ys[i]! - my - slope * (xs[i]! - mx)) ** 2
  const se = Math.sqrt(sse / (n - 2) / sxx)
  const half = tQuantile(0.975, n - 2) * se
  return { slope, ci95: [slope - half, slope + half], bins: n }
}

/**
 * Standard deviation of one sample's noise: 1.4826 · MAD of first differences / √2 (a
 * difference carries the noise of two samples; the MAD ignores the steps of a sawtooth).
 */
export function perSampleNoise(values: readonly number[]): number {
  if (values.length < 3) return 0
  const d: number[] = []
  for (let i = 1; i < values.length; i++) d.push(values[i]! - values[i - 1]!)
  const m = median(d)
  const mad = median(d.map((x) => Math.abs(x - m)))
  return (1.4826 * mad) / Math.SQRT2
}
