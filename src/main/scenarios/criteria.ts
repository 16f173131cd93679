/**
 * Criteria arithmetic and words, in one place so the CLI, reports and the UI agree
 * (STYLE.md §13, §14): every criterion keeps its threshold text, and no data never passes —
 * a criterion that cannot be measured says why with pass: null. Memory levels come from the
 * analysis module (robust medians of windows), the same arithmetic `analyze` uses.
 */
import type { CriterionResult } from '../../shared/session'
import { formatBytes } from '../../shared/units'
import { growthPercent as growthOf, type GrowthMeasure } from '../analysis/growth'
import type { PhaseRecord, RunRecord } from './record'

export function phase(record: RunRecord, name: string): PhaseRecord | null {
  return record.phases.find((p) => p.name === name) ?? null
}

/** The phase's time range; an unfinished phase ends now. */
export function span(p: PhaseRecord): { from: number; to: number } {
  return { from: p.from, to: p.to ?? Date.now() }
}

const fmtPct = (v: number): string => `${v >= 0 ? '+' : ''}${v.toFixed(1)}%`
const fmtMs = (v: number): string => `${v < 10 ? v.toFixed(2) : v.toFixed(0)} ms`

export function notMeasured(
  name: string,
  threshold: string,
  unit: CriterionResult['unit'],
  reason: string
): CriterionResult {
  return { name, threshold, measured: null, unit, pass: null, reason }
}

/**
 * RSS growth from the baseline phase (all of it) to the last quarter of `finalPhase`; when
 * both are the same phase, from its first level window (analysis `levelWindow`) instead.
 * `settled`: from the baseline phase's later half, the level load started from, as the
 * analysis reads it (release.ts settledPart): a server may still be collecting what the
 * profiler's setup left behind early in the phase.
 */
export function rssGrowth(
  record: RunRecord,
  finalPhase: string,
  baselinePhase = 'baseline',
  { settled = false }: { settled?: boolean } = {}
): GrowthMeasure | null {
  const base = phase(record, baselinePhase)
  const fin = phase(record, finalPhase)
  if (!base || !fin) return null
  const b = span(base)
  const f = span(fin)
  // The last quarter of the final phase (at least the last 3 samples): a level, not a point.
  const finalFrom = f.to - Math.max(1000, (f.to - f.from) / 4)
  // The same phase as baseline and final: its first level window against its last quarter.
  const baseline =
    baselinePhase === finalPhase ? { from: b.from } : settled ? settledPart(record, b) : b
  return growthOf(record.samples, 'rssBytes', {
    baseline,
    final: { from: finalFrom, to: f.to }
  })
}

/** The later half of a phase, or all of it when that half holds no sample. */
function settledPart(
  record: RunRecord,
  b: { from: number; to: number }
): { from: number; to: number } {
  const later = { from: b.from + (b.to - b.from) / 2, to: b.to }
  return record.samples.some((x) => x.t >= later.from && x.t <= later.to) ? later : b
}

export function growthCriterion(
  name: string,
  g: GrowthMeasure | null,
  maxPercent: number,
  mode: 'growth' | 'within',
  noDataReason: string
): CriterionResult {
  const threshold = mode === 'growth' ? `< ${maxPercent}%` : `within ±${maxPercent}%`
  if (!g) return notMeasured(name, threshold, 'percent', noDataReason)
  const v = Math.round(g.growthPercent * 10) / 10
  const pass =
    mode === 'growth' ? g.growthPercent < maxPercent : Math.abs(g.growthPercent) <= maxPercent
  const from = formatBytes(g.baselineBytes)
  const to = formatBytes(g.finalBytes)
  return {
    name,
    threshold,
    measured: v,
    unit: 'percent',
    pass,
    reason: `RSS went from ${from} (median at the start) to ${to} (median at the end), ${fmtPct(g.growthPercent)}${pass ? '' : `, beyond ${threshold}`}.`
  }
}

/** measured < bound (or ≤ when `inclusive`). */
export function below(
  name: string,
  measured: number | null,
  bound: number,
  unit: CriterionResult['unit'],
  what: string,
  noDataReason: string
): CriterionResult {
  const unitText = unit === 'ms' ? ' ms' : unit === 'percent' ? '%' : ''
  const threshold = `< ${bound}${unitText}`
  if (measured === null || !Number.isFinite(measured))
    return notMeasured(name, threshold, unit, noDataReason)
  const pass = measured < bound
  const shown =
    unit === 'ms'
      ? fmtMs(measured)
      : unit === 'percent'
        ? `${measured.toFixed(1)}%`
        : String(measured)
  return {
    name,
    threshold,
    measured: round2(measured),
    unit,
    pass,
    reason: `${what} was ${shown}${pass ? '' : `, not ${threshold}`}.`
  }
}

/** measured == expected (counts). */
export function equals(
  name: string,
  measured: number | null,
  expected: number,
  what: string,
  noDataReason: string,
  extra = ''
): CriterionResult {
  const threshold = `== ${expected}`
  if (measured === null) return notMeasured(name, threshold, 'count', noDataReason)
  const pass = measured === expected
  return {
    name,
    threshold,
    measured,
    unit: 'count',
    pass,
    reason: `${what}: ${measured}${pass ? '' : `, expected ${expected}`}${extra}.`
  }
}

export function round2(v: number): number {
  return Math.round(v * 100) / 100
}

/** Every criterion fails with the crash as the reason; measured values stay. */
export function failForCrash(
  criteria: CriterionResult[],
  crash: { t: number; message: string }
): CriterionResult[] {
  const when = new Date(crash.t).toISOString()
  return criteria.map((c) => ({
    ...c,
    pass: false,
    reason: `The target exited during the run (${when}: ${crash.message}); ${c.reason ?? ''}`.trim()
  }))
}

/** Passed only when every criterion passed (a criterion not measured never passes). */
export function allPassed(criteria: readonly CriterionResult[]): boolean {
  return criteria.length > 0 && criteria.every((c) => c.pass === true)
}

/**
 * CPU per second of a phase (the seed monitors "every 1 second"): samples averaged into
 * one-second buckets, so a 100 ms sampler does not turn one busy tick into the peak. The
 * first bucket is skipped: its CPU delta straddles the phase boundary.
 */
export function cpuSeconds(record: RunRecord, p: PhaseRecord): number[] {
  const { from, to } = span(p)
  const buckets = new Map<number, { sum: number; n: number }>()
  for (const s of record.samples) {
    if (s.t < from || s.t > to) continue
    if (typeof s.cpuPercent !== 'number' || !Number.isFinite(s.cpuPercent)) continue
    const k = Math.floor((s.t - from) / 1000)
    const b = buckets.get(k) ?? { sum: 0, n: 0 }
    b.sum += s.cpuPercent
    b.n++
    buckets.set(k, b)
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .slice(1)
    .map(([, b]) => b.sum / b.n)
}
