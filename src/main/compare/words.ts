/**
 * Every sentence and label `compare` shows (STYLE.md §13), so the CLI's text, the Markdown
 * and HTML reports and the UI say the same thing about the same difference.
 */
import type {
  CompareDirection,
  CompareMetric,
  CompareResult,
  CompareUnit,
  CompareVerdict
} from '../../shared/compare'
import { formatInUnit } from '../../shared/units'
import { relativeBand, type Judgement, type Thresholds } from './significance'

export const VERDICT_LABEL: Record<CompareVerdict, string> = {
  regression: 'REGRESSION',
  improvement: 'IMPROVEMENT',
  'no-significant-difference': 'NO SIGNIFICANT DIFFERENCE'
}

export const DIRECTION_LABEL: Record<CompareDirection, string> = {
  worse: 'worse',
  better: 'better',
  same: 'same'
}

/** A difference in the unit: "+1.5 MiB/min", "+2.3 pp", "+0.40 ms". */
export function formatDelta(unit: CompareUnit, d: number | null): string {
  if (d === null || !Number.isFinite(d)) return '—'
  const sign = d > 0 ? '+' : d < 0 ? '-' : '±'
  if (unit === 'percent') return `${sign}${Math.abs(d).toFixed(1)} pp`
  if (unit === 'ratio') return `${sign}${(Math.abs(d) * 100).toFixed(2)} pp`
  return `${sign}${formatInUnit(unit, Math.abs(d))}`
}

/** A relative change: "+3.1%", "-45%". */
export function formatChange(change: number | null | undefined): string {
  if (change === null || change === undefined || !Number.isFinite(change)) return '—'
  const pct = change * 100
  const digits = Math.abs(pct) < 10 ? 1 : 0
  const sign = pct > 0 ? '+' : pct < 0 ? '-' : '±'
  return `${sign}${Math.abs(pct).toFixed(digits)}%`
}

/** The change column: relative when meaningful, else the absolute difference. */
export function formatMetricChange(m: CompareMetric): string {
  if (
    m.group === 'memory' ||
    m.unit === 'bytes/min' ||
    m.unit === 'percent' ||
    m.unit === 'ratio' ||
    m.change === null
  ) {
    return formatDelta(m.unit, m.delta)
  }
  return formatChange(m.change)
}

function formatP(p: number): string {
  if (p < 0.001) return 'p < 0.001'
  return `p = ${p < 0.01 ? p.toFixed(3) : p.toFixed(2)}`
}

function formatInterval(ci: [number, number], relative: boolean, unit: CompareUnit): string {
  return relative
    ? `${formatChange(ci[0])} … ${formatChange(ci[1])}`
    : `${formatDelta(unit, ci[0])} … ${formatDelta(unit, ci[1])}`
}

export interface ReasonInput {
  unit: CompareUnit
  judgement: Judgement
  pValue: number | null
  changeCi?: [number, number] | null
  deltaCi?: [number, number] | null
  /** The bands the call used (undefined = not applied). */
  noise?: number
  floor?: number
  missing?: 'a' | 'b' | 'both'
  /** Speak of the difference in the unit, not as a percentage (slopes near zero). */
  absolute?: boolean
}

/** One sentence saying why a metric is (not) called a difference. */
export function reasonFor(r: ReasonInput): string {
  const j = r.judgement
  const relative =
    !r.absolute && j.change !== null && r.unit !== 'bytes/min' && r.unit !== 'percent'
  const what = relative ? formatChange(j.change) : formatDelta(r.unit, j.delta)
  const ci = relative ? r.changeCi : r.deltaCi
  const ciText = ci ? ` (95% CI ${formatInterval(ci, relative, r.unit)})` : ''
  switch (j.why) {
    case 'not-measured':
      return r.missing === 'both' || r.missing === undefined
        ? 'Not measured in either run.'
        : `Not measured in run ${r.missing.toUpperCase()}.`
    case 'chance':
      return `${what}, but ${formatP(r.pValue ?? 1)}: a difference this size is what chance alone gives.`
    case 'within-noise':
      return `${what}${ciText} does not clear the noise band (${formatChange(relativeBand(r.noise ?? 0)[0])} … +${Math.round((r.noise ?? 0) * 100)}%).`
    case 'below-floor':
      return `${what}${ciText} is within the ±${formatInUnit(r.unit, r.floor ?? 0)} noise floor.`
    case 'significant': {
      const p = r.pValue !== null ? `, ${formatP(r.pValue)}` : ''
      return `${what}${ciText}${p}: ${j.direction === 'worse' ? 'worse' : 'better'} beyond the noise of the two runs.`
    }
  }
}

/** The verdict from the metrics that count: any significant worsening is a regression. */
export function verdictOf(metrics: readonly CompareMetric[]): CompareVerdict {
  const counted = metrics.filter((m) => m.counts !== false && m.significant)
  if (counted.some((m) => m.direction === 'worse')) return 'regression'
  if (counted.some((m) => m.direction === 'better')) return 'improvement'
  return 'no-significant-difference'
}

/** The verdict in one sentence, naming up to three of the differences. */
export function summaryOf(
  verdict: CompareVerdict,
  metrics: readonly CompareMetric[],
  t: Thresholds
): string {
  // In table order: memory first for sessions, the seed's benchmark order for bench results.
  const pick = (dir: CompareDirection): CompareMetric[] =>
    metrics.filter((m) => m.counts !== false && m.significant && m.direction === dir)
  const list = (ms: CompareMetric[]): string =>
    ms
      .slice(0, 3)
      .map((m) => `${m.name} ${formatMetricChange(m)}`)
      .join(', ') + (ms.length > 3 ? ` and ${ms.length - 3} more` : '')
  const worse = pick('worse')
  const better = pick('better')
  switch (verdict) {
    case 'regression':
      return `B is worse than A: ${list(worse)}${better.length > 0 ? `; better: ${list(better)}` : ''}.`
    case 'improvement':
      return `B is better than A: ${list(better)}; nothing got worse.`
    default: {
      const n = metrics.filter((m) => m.counts !== false && m.a !== null && m.b !== null).length
      return `No difference outside the noise of the two runs in ${n} compared metric${n === 1 ? '' : 's'} (α ${t.alpha}, noise ±${Math.round(t.noise * 100)}%).`
    }
  }
}

/** Header line for text output: "REGRESSION — B is worse than A: …". */
export function headline(r: CompareResult): string {
  return `${VERDICT_LABEL[r.verdict]} — ${r.summary}`
}
