/**
 * When is a difference between two runs a difference? Criterion's rule, made explicit:
 *
 *  1. the statistical test says it is unlikely to be chance (p < alpha), and
 *  2. its confidence interval lies entirely outside the noise band — relative (±noise of A)
 *     and/or absolute (±floor in the metric's unit) — so a real but negligible shift, or
 *     the run-to-run wobble a loaded machine adds, is not called a regression.
 *
 * Either piece of evidence may be missing (a metric recorded without raw data); then the
 * point estimate must clear the band instead. Direction follows from which way is better.
 */
import type { CompareDirection, CompareMetric } from '../../shared/compare'

/** Thresholds of the significance calls (CompareSettings in the result). */
export interface Thresholds {
  /** Two-sided significance level. */
  alpha: number
  /** Relative noise band for latency, throughput and CPU (0.1 = ±10%). */
  noise: number
  /** Memory changes smaller than this share of the baseline are noise (0.02 = 2%). */
  memoryNoise: number
}

/**
 * Defaults. alpha 0.05 is Criterion's. Its noise threshold is 2% for CPU-bound code on a
 * quiet machine; a round trip over loopback to a server sharing the machine wobbles far more
 * between runs (scheduler, other processes), so 10% here — still far below the regressions
 * worth catching (a slow query path doubles latency, a leak grows memory without bound).
 * Memory: 2% of the baseline (a few MiB on a typical server) over the compared window.
 */
export const DEFAULT_THRESHOLDS: Thresholds = { alpha: 0.05, noise: 0.1, memoryNoise: 0.02 }

export interface Evidence {
  better: 'lower' | 'higher'
  a: number | null
  b: number | null
  /** Two-sided p-value of a test of "no difference"; null when there is none. */
  pValue: number | null
  alpha: number
  /** 95% interval of the relative change (b − a) / |a|. */
  changeCi?: [number, number] | null
  /** Relative band the change must clear; undefined = no relative requirement. */
  noise?: number
  /** 95% interval of b − a. */
  deltaCi?: [number, number] | null
  /** Absolute band b − a must clear, in the metric's unit; undefined = none. */
  floor?: number
}

export interface Judgement {
  change: number | null
  delta: number | null
  significant: boolean
  direction: CompareDirection
  /** Why, as a short clause for the words module: 'not-measured', 'chance', 'within-noise' … */
  why: 'not-measured' | 'chance' | 'within-noise' | 'below-floor' | 'significant'
}

export function relativeChange(a: number | null, b: number | null): number | null {
  if (a === null || b === null || !Number.isFinite(a) || !Number.isFinite(b) || a === 0) return null
  return (b - a) / Math.abs(a)
}

/** True when the interval (or, without one, the point) lies wholly above `hi` or below `lo`. */
function clears(
  ci: [number, number] | null | undefined,
  point: number | null,
  lo: number,
  hi: number
): boolean {
  if (ci && Number.isFinite(ci[0]) && Number.isFinite(ci[1])) return ci[0] > hi || ci[1] < lo
  return point !== null && (point > hi || point < lo)
}

/**
 * The relative band is symmetric in ratio, not in percent: +100% (2×) up matches −50%
 * (½×) down, so a wide band never makes an improvement (or a throughput drop) uncallable.
 */
export function relativeBand(noise: number): [number, number] {
  return [1 / (1 + noise) - 1, noise]
}

export function judge(e: Evidence): Judgement {
  const change = relativeChange(e.a, e.b)
  const delta = e.a !== null && e.b !== null ? e.b - e.a : null
  const none = { change, delta, significant: false, direction: 'same' as const }
  if (e.a === null || e.b === null || !Number.isFinite(e.a) || !Number.isFinite(e.b)) {
    return { ...none, why: 'not-measured' }
  }
  if (e.pValue !== null && !(e.pValue < e.alpha)) return { ...none, why: 'chance' }
  if (e.noise !== undefined) {
    // A zero reference has no relative change: only the absolute band can speak.
    if (change === null && e.floor === undefined) return { ...none, why: 'within-noise' }
    if (change !== null && !clears(e.changeCi, change, ...relativeBand(e.noise)))
      return { ...none, why: 'within-noise' }
  }
  if (e.floor !== undefined && !clears(e.deltaCi, delta, -e.floor, e.floor)) {
    return { ...none, why: 'below-floor' }
  }
  const up = (delta as number) > 0
  const worse = e.better === 'lower' ? up : !up
  return {
    change,
    delta,
    significant: true,
    direction: worse ? 'worse' : 'better',
    why: 'significant'
  }
}

/** Half-width of a 95% interval → standard error (normal approximation). */
export function seFromCi(ci: [number, number]): number {
  return Math.abs(ci[1] - ci[0]) / (2 * 1.959963985)
}

/**
 * Conservative interval of b/a − 1 from two independent 95% intervals (interval arithmetic:
 * wider than a joint 95%, so a difference it calls clear is clear). Null when A's interval
 * reaches zero.
 */
export function ratioIntervalFromCis(
  a95: [number, number],
  b95: [number, number]
): [number, number] | null {
  if (!(a95[0] > 0)) return null
  return [b95[0] / a95[1] - 1, b95[1] / a95[0] - 1]
}

/**
 * A row shown for context: its own call goes to contextDirection; significant/direction
 * stay neutral so nobody reading the JSON takes it for part of the verdict.
 */
export function asContext(m: CompareMetric, why: string | null): CompareMetric {
  return {
    ...m,
    counts: false,
    contextDirection: m.direction,
    significant: false,
    direction: 'same',
    reason: `${m.reason} (Context only${why ? `: ${why}` : ''}; not part of the verdict.)`
  }
}
