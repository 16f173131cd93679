/** Two sessions side by side: overlaid memory and criteria with their differences. Pure. */
import type { SessionView } from '../../../../shared/api'
import type { CompareMetric, CompareResult } from '../../../../shared/compare'
import type { CriterionResult } from '../../../../shared/session'
import type { ChartSpec, Point } from '../../charts/spec'

/** RSS of each session against time since its own start, on one chart. */
export function overlaySpec(a: SessionView, b: SessionView): ChartSpec {
  const points = (v: SessionView): Point[] => {
    const t0 = v.samples[0]?.t ?? v.meta.startedAt
    return v.samples.map((s) => ({ x: (s.t - t0) / 1000, y: s.rssBytes }))
  }
  const heap = (v: SessionView): Point[] => {
    const t0 = v.samples[0]?.t ?? v.meta.startedAt
    return v.samples.flatMap((s) =>
      typeof s.heapBytes === 'number' ? [{ x: (s.t - t0) / 1000, y: s.heapBytes }] : []
    )
  }
  return {
    id: 'compare-memory',
    title: 'Memory, A against B',
    y: { unit: 'bytes', title: 'resident memory (bytes)' },
    datasets: [
      { id: 'a-rss', label: 'A: RSS', color: '#2563eb', data: points(a) },
      { id: 'a-heap', label: 'A: heap', color: '#2563eb', data: heap(a), dashed: true },
      { id: 'b-rss', label: 'B: RSS', color: '#dc2626', data: points(b) },
      { id: 'b-heap', label: 'B: heap', color: '#dc2626', data: heap(b), dashed: true }
    ]
  }
}

export interface CriterionDiff {
  name: string
  threshold: string
  unit: CriterionResult['unit']
  a: CriterionResult | null
  b: CriterionResult | null
  /** b − a, when both were measured. */
  delta: number | null
  /** The verdict differs (or the criterion exists on one side only). */
  changed: boolean
}

export function criteriaDiff(
  a: readonly CriterionResult[] | null,
  b: readonly CriterionResult[] | null
): CriterionDiff[] {
  const names = [...new Set([...(a ?? []).map((c) => c.name), ...(b ?? []).map((c) => c.name)])]
  return names.map((name) => {
    const ca = a?.find((c) => c.name === name) ?? null
    const cb = b?.find((c) => c.name === name) ?? null
    const ref = (ca ?? cb) as CriterionResult
    const delta = ca?.measured != null && cb?.measured != null ? cb.measured - ca.measured : null
    return {
      name,
      threshold: ref.threshold,
      unit: ref.unit,
      a: ca,
      b: cb,
      delta,
      changed: !ca || !cb || ca.pass !== cb.pass
    }
  })
}

/** Per criterion name, the comparison's call in words (the criteria table's last column). */
export type Significance = Record<string, string>

/** A call in words: "worse (significant)", "within noise". */
export function callText(m: Pick<CompareMetric, 'significant' | 'direction'>): string {
  return m.significant ? `${m.direction} (significant)` : 'within noise'
}

export function significanceOf(result: CompareResult): Significance {
  const out: Significance = {}
  for (const m of result.metrics)
    if (m.id.startsWith('criterion.')) out[m.id.slice('criterion.'.length)] = callText(m)
  return out
}

/** The non-criteria metrics, significant ones first. */
export function compareRows(result: CompareResult): CompareMetric[] {
  return result.metrics
    .filter((m) => m.group !== 'criteria')
    .sort((x, y) => Number(y.significant) - Number(x.significant))
}
