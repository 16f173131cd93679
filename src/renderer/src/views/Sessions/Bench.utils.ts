/** Saved bench results and their comparison in words and units. Pure. */
import type { BenchSummary } from '../../../../shared/api'
import type { CompareMetric, CompareVerdict } from '../../../../shared/compare'
import { formatInUnit } from '../../format'

export const VERDICT_WORDS: Record<CompareVerdict, string> = {
  regression: 'Regression: B is worse than A',
  improvement: 'Improvement: B is better than A',
  'no-significant-difference': 'No significant difference between A and B'
}

export function verdictClass(v: CompareVerdict): string {
  return v === 'regression' ? 'fail' : v === 'improvement' ? 'pass' : 'pending'
}

/** "0.4.4 (build 01234567)", "unknown version". */
export function benchVersion(r: Pick<BenchSummary, 'version' | 'build'>): string {
  const v = r.version ?? 'unknown version'
  return r.build ? `${v} (build ${r.build})` : v
}

/** The change with its unit and as a share of A: "+18.0 ms (+1765.0%)". */
export function changeText(m: Pick<CompareMetric, 'unit' | 'delta' | 'change'>): string {
  const sign = (v: number): string => (v > 0 ? '+' : v < 0 ? '−' : '±')
  const pct = m.change === null ? null : `${sign(m.change)}${Math.abs(m.change * 100).toFixed(1)}%`
  if (m.delta === null) return pct ?? '—'
  const abs = `${sign(m.delta)}${formatInUnit(m.unit, Math.abs(m.delta))}`
  return pct === null ? abs : `${abs} (${pct})`
}

/** Whether the difference is outside the noise of the two runs, or a row shown for context. */
export function significanceText(m: Pick<CompareMetric, 'significant' | 'counts'>): string {
  if (m.counts === false) return 'context only'
  return m.significant ? 'significant' : 'within noise'
}

/** Which way B went: "worse", "better", "same"; a context row says what its own test saw. */
export function directionText(
  m: Pick<CompareMetric, 'direction' | 'counts' | 'contextDirection' | 'better'>
): string {
  const d = m.counts === false && m.contextDirection ? m.contextDirection : m.direction
  const which = `${m.better} is better`
  return m.counts === false && d !== 'same' ? `${d} (not counted; ${which})` : `${d} (${which})`
}

/** Counted rows first, significant ones first among them; the engine's order otherwise. */
export function benchRows(metrics: readonly CompareMetric[]): CompareMetric[] {
  const rank = (m: CompareMetric): number => (m.counts === false ? 2 : m.significant ? 0 : 1)
  return metrics
    .map((m, i) => ({ m, i }))
    .sort((x, y) => rank(x.m) - rank(y.m) || x.i - y.i)
    .map((x) => x.m)
}
