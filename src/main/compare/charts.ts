/**
 * Series for the comparison reports: for sessions, each memory field of A and B on one
 * axis of elapsed time (so the two runs' growth can be seen against each other); for
 * bench results none (the forest plot is drawn from the metrics themselves).
 */
import type { SessionData } from '../../shared/session'
import type { MemoryField } from '../../shared/sample'
import type { Point } from '../report/series'
import { metricLabel } from '../report/words'
import type { Comparable } from './load'

export interface OverlayChart {
  id: string
  title: string
  unit: 'bytes' | 'percent'
  /** Points are [elapsed ms since the run's start, value]. */
  series: { label: string; points: Point[] }[]
  /** Longest elapsed time of the series. */
  spanMs: number
}

const CHART_FIELDS: MemoryField[] = ['rssBytes', 'heapBytes']

function elapsed(
  s: SessionData,
  pick: (x: SessionData['samples'][number]) => number | null
): Point[] {
  const t0 = s.meta.startedAt
  const out: Point[] = []
  for (const x of s.samples) {
    const v = pick(x)
    if (typeof v === 'number' && Number.isFinite(v)) out.push([x.t - t0, v])
  }
  return out
}

export function overlayCharts(a: Comparable, b: Comparable): OverlayChart[] {
  if (a.kind !== 'session' || b.kind !== 'session') return []
  const charts: OverlayChart[] = []
  for (const field of CHART_FIELDS) {
    const pa = elapsed(a.session, (x) => x[field])
    const pb = elapsed(b.session, (x) => x[field])
    if (pa.length === 0 && pb.length === 0) continue
    charts.push({
      id: field,
      title: `${metricLabel(field)}: A and B over elapsed time`,
      unit: 'bytes',
      series: [
        { label: 'A', points: pa },
        { label: 'B', points: pb }
      ],
      spanMs: Math.max(pa.at(-1)?.[0] ?? 0, pb.at(-1)?.[0] ?? 0)
    })
  }
  return charts
}
