/**
 * Baseline and growth arithmetic, as the seed's criteria define them (testing-strategy.md):
 * T220 "memory growth < 10% from baseline" and T224 "final memory within 15% of baseline".
 * A single sample is never a baseline: one GC pause or one page-in would move it, so every
 * level here is the median of a window of samples.
 *
 * Pure functions; bytes in, bytes and percent out.
 */
import type { MemoryField, Sample } from '../../shared/sample'
import { medianInPlace } from './select'

/** One observation of one metric: ms since the epoch, bytes. */
export interface Point {
  t: number
  v: number
}

/** A closed time range in ms since the epoch. Either end may be open (undefined). */
export interface TimeRange {
  from?: number
  to?: number
}

/**
 * The values of one memory field, in time order, skipping nulls and non-finite values
 * (pssBytes/ussBytes are null between smaps_rollup reads: they are "not measured", not zero).
 */
export function pointsOf(
  samples: readonly Sample[],
  field: MemoryField,
  range: TimeRange = {}
): Point[] {
  const out: Point[] = []
  for (const s of samples) {
    if (range.from !== undefined && s.t < range.from) continue
    if (range.to !== undefined && s.t > range.to) continue
    const v = s[field]
    if (typeof v === 'number' && Number.isFinite(v)) out.push({ t: s.t, v })
  }
  return out.sort((a, b) => a.t - b.t)
}

/** Median; null for an empty list. */
export function median(values: readonly number[]): number | null {
  return values.length === 0 ? null : medianInPlace(Float64Array.from(values))
}

/**
 * The robust level of a window: the median of its values, null when empty. Used for every
 * baseline and final level, so a single outlier (a page-in, a flush spike) cannot move it.
 */
export function robustBaseline(values: readonly number[]): number | null {
  return median(values)
}

/**
 * Default length of a baseline or final window: 30 s is what T220 samples at ("every 30
 * seconds"), so a window holds at least one of the seed's own measurements; on short
 * recordings the window shrinks to a tenth of the series (see `levelWindow`).
 */
export const DEFAULT_LEVEL_WINDOW_MS = 30_000

/** A median is not a level until it has this many values (3 = one outlier cannot win). */
export const MIN_LEVEL_SAMPLES = 3

/**
 * Picks the points of a level window at the start ('first') or end ('last') of a series:
 * `windowMs` of time (default min(30 s, a tenth of the series)), extended to at least
 * MIN_LEVEL_SAMPLES points when the series has them.
 */
export function levelWindow(
  points: readonly Point[],
  at: 'first' | 'last',
  windowMs?: number
): Point[] {
  if (points.length === 0) return []
  const first = points[0] as Point
  const last = points[points.length - 1] as Point
  const span = last.t - first.t
  const w = windowMs ?? Math.min(DEFAULT_LEVEL_WINDOW_MS, span / 10)
  const minCount = Math.min(MIN_LEVEL_SAMPLES, points.length)
  if (at === 'first') {
    const inWindow = points.filter((p) => p.t <= first.t + w)
    return inWindow.length >= minCount ? inWindow : points.slice(0, minCount)
  }
  const inWindow = points.filter((p) => p.t >= last.t - w)
  return inWindow.length >= minCount ? inWindow : points.slice(points.length - minCount)
}

/** Baseline, final level and growth between them. */
export interface GrowthMeasure {
  /** Median of the baseline window. */
  baselineBytes: number
  /** Median of the final window. */
  finalBytes: number
  /** (final − baseline) / baseline × 100; signed (negative = shrank). */
  growthPercent: number
  baselineSamples: number
  finalSamples: number
  /** Time from the middle of the baseline window to the middle of the final window. */
  spanMs: number
}

export interface GrowthOptions {
  /**
   * Where the baseline is measured. Default: the first level window of the series
   * (or of `baseline.from` onwards when only `from` is given).
   */
  baseline?: TimeRange
  /** Where the final level is measured. Default: the last level window of the series. */
  final?: TimeRange
  /** Length of the default windows (ms); see `levelWindow`. */
  windowMs?: number
}

/**
 * Growth of one memory field from a baseline to a final level, each the median of a window.
 *
 * T220 ("RSS growth < 10% over 5 min"): `growthPercent(samples, 'rssBytes', { baseline:
 * baselinePhase, final: { from: loadEnd - 30_000, to: loadEnd } })` and compare
 * `growthPercent < 10`. T224 ("final within 15% of baseline"): baseline = the baseline
 * phase, final = the last 30 s of the idle phase, pass when `Math.abs(growthPercent) <= 15`
 * (or use `withinPercentOfBaseline`).
 *
 * A range given with both ends is used as is; a range with one end (or none) gets the
 * default level window at that end. Null when either window holds no value, or when the
 * baseline is not positive (no meaningful percent).
 */
export function growthPercent(
  samples: readonly Sample[],
  field: MemoryField,
  options: GrowthOptions = {}
): GrowthMeasure | null {
  return growthOfPoints(pointsOf(samples, field), options)
}

/** `growthPercent` over points already extracted (the analysis uses this). */
export function growthOfPoints(
  points: readonly Point[],
  options: GrowthOptions = {}
): GrowthMeasure | null {
  const baseWin = windowOf(points, options.baseline, 'first', options.windowMs)
  const finalWin = windowOf(points, options.final, 'last', options.windowMs)
  const baselineBytes = median(baseWin.map((p) => p.v))
  const finalBytes = median(finalWin.map((p) => p.v))
  if (baselineBytes === null || finalBytes === null || baselineBytes <= 0) return null
  return {
    baselineBytes,
    finalBytes,
    growthPercent: ((finalBytes - baselineBytes) / baselineBytes) * 100,
    baselineSamples: baseWin.length,
    finalSamples: finalWin.length,
    spanMs: midTime(finalWin) - midTime(baseWin)
  }
}

/** T224's form: |final − baseline| / baseline ≤ limit%. Null when not measurable. */
export function withinPercentOfBaseline(
  measure: GrowthMeasure | null,
  limitPercent: number
): boolean | null {
  if (measure === null) return null
  return Math.abs(measure.growthPercent) <= limitPercent
}

function windowOf(
  points: readonly Point[],
  range: TimeRange | undefined,
  at: 'first' | 'last',
  windowMs: number | undefined
): Point[] {
  if (range?.from !== undefined && range.to !== undefined) {
    const from = range.from
    const to = range.to
    return points.filter((p) => p.t >= from && p.t <= to)
  }
  const sub = points.filter(
    (p) =>
      (range?.from === undefined || p.t >= range.from) &&
      (range?.to === undefined || p.t <= range.to)
  )
  return levelWindow(sub, at, windowMs)
}

function midTime(points: readonly Point[]): number {
  if (points.length === 0) return 0
  return ((points[0] as Point).t + (points[points.length - 1] as Point).t) / 2
}
