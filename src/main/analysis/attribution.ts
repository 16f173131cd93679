/**
 * Attribution: what memory grows with. Memory is regressed against what the workload did
 * (cumulative inserts, flushed rows and connections opened, open subscriptions and
 * connections — the `counters` events, about one a second) and the fit reported as bytes
 * per unit, with its interval and R² ("≈ 1.9 KiB per insert, R² 0.97").
 *
 * Only meaningful fits are reported: the regressor must have varied, the fit must explain
 * most of the memory's movement, the slope must be surely positive. Counters that grow
 * together (inserts and flushed rows both grow with time) explain the same thing: only the
 * strongest of a correlated group is kept, so a constant subscription count is never blamed
 * (of inserts and flushed rows, the inserts unless the flush clearly fits better: ranked).
 *
 * Start-up costs. A load pays fixed costs as it starts — connections and subscriptions set
 * up, caches filled, the heap grown to its working size — and they level off within tens of
 * seconds (a recorded memory-release run: +34 MiB in its first 35 s without any leak). Over
 * the whole window a single line through that ramp and the steady climb after it blames the
 * ramp on the inserts: 1.8 KiB per insert against 1 KiB leaked. A joint regression on the
 * other counters cannot take the ramp: during the load subscriptions and connections are
 * constant (they open as it starts), so they only shift the intercept, and a ramp is no step.
 * What does tell a fixed cost from a per-unit one is that the per-unit cost goes on as long
 * as the work does. So each regressor is also fitted on the later half of the window
 * (STEADY_FRACTION), and when the whole window's slope lies outside that half's interval the
 * early part did not follow the same line and the later half is reported; otherwise the
 * whole window, whose interval is the narrower. The later half is never reported alone: the
 * whole window must show that memory follows the counter at all.
 */
import type { Attribution } from '../../shared/analysis'
import type { MemoryField, Sample } from '../../shared/sample'
import type { SessionEvent, WorkloadCounters } from '../../shared/session'
import { correlation, midMean, ols, slopeInterval } from './stats'

type Per = Attribution['per']

/** Which counter explains which unit, and whether it is cumulative (interpolated) or a level. */
export const REGRESSORS: readonly {
  per: Per
  counter: keyof WorkloadCounters
  cumulative: boolean
}[] = [
  { per: 'insert', counter: 'inserts', cumulative: true },
  { per: 'subscription', counter: 'subscriptionsOpen', cumulative: false },
  { per: 'connection', counter: 'connectionsOpen', cumulative: false },
  { per: 'flushed-row', counter: 'flushedRows', cumulative: true },
  // Churn opens and closes connections (one subscription each) in cycles: state a server
  // keeps after a close grows with the connections ever opened, not with those open now.
  { per: 'connection-opened', counter: 'connectionsOpened', cumulative: true }
]

/** Memory fields attributed: the anonymous heap, where a leak lives, and RSS, what users see. */
export const ATTRIBUTED_FIELDS: readonly MemoryField[] = ['heapBytes', 'rssBytes']

/** Time bins the fit runs on (same reasoning as the trend: correlated noise, spikes). */
export const ATTRIBUTION_BINS = 40
/** A fit must explain at least this share of the memory's variance to be worth a sentence. */
export const MIN_R2 = 0.7
/** The regressor must take at least this many distinct values across bins (else it did not vary). */
export const MIN_DISTINCT_X = 4
/** Fewer aligned bins than this is too little to fit. */
export const MIN_BINS = 8
/** Two regressors correlated beyond this explain the same thing: only the better fit stays. */
export const COLLINEAR = 0.8
/**
 * Flushed rows are the inserted rows, written out later in batches, so the two counters climb
 * together and the better R² of the two is a weak tell: on a recorded actor-stability run
 * (an explicit flush every 30 s) leaking 128 B per insert, memory followed the flushed rows'
 * steps at R² 0.81 and the inserts at 0.74, and was blamed on the flush (164 B per flushed
 * row; 145 B per insert). Rows are blamed on their flush only when its fit leaves at most this
 * share of the variance the inserts' fit leaves: a cost paid at each flush steps with it and
 * leaves the inserts' line far behind.
 */
export const FLUSHED_ROW_EVIDENCE = 0.5
/**
 * The steady part of the window: its later half. See the module comment (start-up costs).
 */
export const STEADY_FRACTION = 0.5
/**
 * The later half may correct the whole window's bytes per unit when its own fit explains as
 * much as MIN_R2's signal-to-noise gives over its share of the counter's range: R² falls with
 * the square of the range a line spans, so 0.7 over the whole window is 0.37 over half of it.
 * Asking 0.7 of the half kept a start-up ramp in a recorded release run (986 B per insert for
 * 512 leaked, the later half reading 547 B at R² 0.65); a flush sawtooth's later half, whose
 * line explains a third of it, still cannot.
 */
export const MIN_STEADY_R2 = steadyR2(MIN_R2, STEADY_FRACTION)

function steadyR2(r2: number, rangeShare: number): number {
  const signalToNoise = (r2 / (1 - r2)) * rangeShare ** 2
  return signalToNoise / (1 + signalToNoise)
}

export interface AttributionInput {
  samples: readonly Sample[]
  events: readonly SessionEvent[]
  /** Limit to this window (e.g. the load phase after warm-up); default all. */
  window?: { from: number; to: number }
  fields?: readonly MemoryField[]
}

export function attribute(input: AttributionInput): Attribution[] {
  const counters = countersOf(input.events)
  if (counters.length < 2) return []
  const first = counters[0] as WorkloadCounters & { t: number }
  const last = counters[counters.length - 1] as WorkloadCounters & { t: number }
  const from = Math.max(first.t, input.window?.from ?? -Infinity)
  const to = Math.min(last.t, input.window?.to ?? Infinity)
  const samples = input.samples.filter((s) => s.t >= from && s.t <= to)
  if (samples.length < MIN_BINS) return []

  const out: Attribution[] = []
  const lateFrom = from + (to - from) * (1 - STEADY_FRACTION)
  for (const field of input.fields ?? ATTRIBUTED_FIELDS) {
    const rows = samples
      .filter((s) => typeof s[field] === 'number' && Number.isFinite(s[field]))
      .map((s) => ({ t: s.t, y: s[field] as number, x: counterValues(counters, s.t) }))
    const bins = binRows(rows, ATTRIBUTION_BINS)
    if (bins.length < MIN_BINS) continue
    const lateBins = binRows(
      rows.filter((r) => r.t >= lateFrom),
      ATTRIBUTION_BINS
    )
    const fits: Fit[] = []
    for (const r of REGRESSORS) {
      const whole = fitOne(field, r.per, bins, r.counter)
      if (!whole) continue
      const late =
        lateBins.length >= MIN_BINS
          ? fitOne(field, r.per, lateBins, r.counter, MIN_STEADY_R2)
          : null
      fits.push(late && startupBiased(whole, late) ? late : whole)
    }
    const kept: Fit[] = []
    for (const f of ranked(fits)) {
      if (kept.some((k) => Math.abs(correlation(k.xs, f.xs)) >= COLLINEAR)) continue
      kept.push(f)
    }
    out.push(...kept.map((k) => k.attribution))
  }
  return out
}

/** A trough fit needs at least this many troughs (MIN_DISTINCT_X: the counter must vary). */
export const MIN_TROUGHS = MIN_DISTINCT_X

/**
 * What a sawtooth's troughs grow with. Memory that climbs and drops with each flush is judged
 * by what each drop leaves (trend.ts), and a line through its samples explains too little of
 * the swing to report (a recorded run leaking 96 B per insert under 20 MiB flushes: no fit
 * over R² 0.7). Its troughs, one a cycle, regressed on the cumulative counters where they
 * fell, say what stays: 108 B per insert, R² 0.99, on that run. The same tests as for
 * samples (R² ≥ MIN_R2, a slope surely above zero); of inserts and flushed rows, which climb
 * together, only the better fit.
 */
export function attributeTroughs(
  field: MemoryField,
  troughs: readonly { t: number; v: number }[],
  events: readonly SessionEvent[]
): Attribution[] {
  const counters = countersOf(events)
  if (counters.length < 2 || troughs.length < MIN_TROUGHS) return []
  const bins = troughs.map((p) => ({ y: p.v, x: counterValues(counters, p.t) }))
  const fits = REGRESSORS.filter((r) => r.cumulative)
    .map((r) => fitOne(field, r.per, bins, r.counter))
    .filter((f): f is Fit => f !== null)
  const best = ranked(fits)[0]
  return best ? [{ ...best.attribution, troughs: troughs.length }] : []
}

function countersOf(
  events: readonly SessionEvent[]
): (Extract<SessionEvent, { type: 'counters' }> & WorkloadCounters)[] {
  return events
    .filter((e): e is Extract<SessionEvent, { type: 'counters' }> => e.type === 'counters')
    .sort((a, b) => a.t - b.t)
}

/**
 * Best fit first (R²), except that flushed rows go just after the inserts unless their fit is
 * clearly the better (FLUSHED_ROW_EVIDENCE). Only the flushed rows move: no other unit is
 * passed by the inserts.
 */
export function ranked<T extends { attribution: Attribution }>(fits: readonly T[]): T[] {
  const out = [...fits].sort((a, b) => b.attribution.r2 - a.attribution.r2)
  const inserts = out.findIndex((f) => f.attribution.per === 'insert')
  const flushed = out.findIndex((f) => f.attribution.per === 'flushed-row')
  if (flushed < 0 || inserts < flushed) return out
  const unexplained = (f: T): number => 1 - f.attribution.r2
  const flushedFit = out[flushed] as T
  if (unexplained(flushedFit) > FLUSHED_ROW_EVIDENCE * unexplained(out[inserts] as T)) {
    out.splice(flushed, 1)
    out.splice(inserts, 0, flushedFit)
  }
  return out
}

/**
 * The whole window's slope lies outside the interval of its steady later part: the early
 * part does not follow the same line, so the later part says what a unit costs.
 */
function startupBiased(whole: Fit, late: Fit): boolean {
  const [lo, hi] = late.attribution.ci95
  const b = whole.attribution.bytesPerUnit
  return b < lo || b > hi
}

interface Fit {
  attribution: Attribution
  xs: number[]
}

function fitOne(
  field: MemoryField,
  per: Per,
  bins: readonly Bin[],
  counter: keyof WorkloadCounters,
  minR2 = MIN_R2
): Fit | null {
  const xs = bins.map((b) => b.x[counter])
  const ys = bins.map((b) => b.y)
  if (new Set(xs).size < MIN_DISTINCT_X) return null
  const fit = ols(xs, ys)
  const ci95 = slopeInterval(fit, 0.95)
  if (fit.r2 < minR2 || !(ci95[0] > 0)) return null
  return { attribution: { metric: field, per, bytesPerUnit: fit.slope, ci95, r2: fit.r2 }, xs }
}

type CounterValues = Record<keyof WorkloadCounters, number>

/**
 * Counters at time t: cumulative ones interpolated linearly between the events around t
 * (work is spread over the second), levels held from the last event at or before t.
 */
function counterValues(
  counters: readonly (WorkloadCounters & { t: number })[],
  t: number
): CounterValues {
  let lo = 0
  let hi = counters.length - 1
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1
    if ((counters[mid] as { t: number }).t <= t) lo = mid
    else hi = mid
  }
  const a = counters[lo] as WorkloadCounters & { t: number }
  const b = counters[hi] as WorkloadCounters & { t: number }
  const w = b.t > a.t ? Math.min(1, Math.max(0, (t - a.t) / (b.t - a.t))) : 0
  const atOrBefore = t >= b.t ? b : a
  const out = {} as CounterValues
  for (const r of REGRESSORS) {
    const av = Number(a[r.counter]) || 0
    const bv = Number(b[r.counter]) || 0
    out[r.counter] = r.cumulative ? av + (bv - av) * w : Number(atOrBefore[r.counter]) || 0
  }
  return out
}

interface Bin {
  y: number
  x: CounterValues
}

/** Equal time bins: interquartile mean of memory, mean of each counter. */
function binRows(rows: readonly { t: number; y: number; x: CounterValues }[], bins: number): Bin[] {
  if (rows.length === 0) return []
  const t0 = (rows[0] as { t: number }).t
  const span = (rows[rows.length - 1] as { t: number }).t - t0
  const groups: (typeof rows)[number][][] = Array.from({ length: bins }, () => [])
  for (const r of rows) {
    const i = span > 0 ? Math.min(bins - 1, Math.floor(((r.t - t0) / span) * bins)) : 0
    ;(groups[i] as (typeof rows)[number][]).push(r)
  }
  return groups
    .filter((g) => g.length > 0)
    .map((g) => {
      const x = {} as CounterValues
      for (const r of REGRESSORS) {
        x[r.counter] = g.reduce((acc, row) => acc + row.x[r.counter], 0) / g.length
      }
      return { y: midMean(g.map((r) => r.y)), x }
    })
}
