/**
 * The analysis of a recorded session: pure, no I/O. `analyzeSession` is what `analyze`,
 * reports and the UI call; the parts live one per file (STYLE.md §12).
 */
import type { AnalysisResult, MetricAnalysis } from '../../shared/analysis'
import type { MemoryField } from '../../shared/sample'
import type { SessionData } from '../../shared/session'
import { growthOfPoints, pointsOf } from './growth'
import { sessionStatus } from './status'

export * from './growth'
export * from './phases'
export { sessionStatus } from './status'

/** The memory metrics judged for leaks (pss only where measured; uss/swap are reported elsewhere). */
export const JUDGED_FIELDS = [
  'rssBytes',
  'heapBytes',
  'fileMappedBytes',
  'stackBytes',
  'pssBytes'
] as const satisfies readonly MemoryField[]

export function analyzeSession(session: SessionData): AnalysisResult {
  const criteria = session.verdicts ?? []
  const metrics: AnalysisResult['metrics'] = {}
  for (const field of JUDGED_FIELDS) {
    const points = pointsOf(session.samples, field)
    const g = growthOfPoints(points)
    if (!g) continue
    const m: MetricAnalysis = {
      verdict: 'inconclusive',
      reason: 'The trend has not been analysed yet.',
      baselineBytes: g.baselineBytes,
      finalBytes: g.finalBytes,
      growthPercent: g.growthPercent,
      slopeBytesPerMin: 0,
      slopeCi95: [0, 0],
      releasedPercent: null
    }
    metrics[field] = m
  }
  return {
    schemaVersion: 1,
    status: sessionStatus(session.meta, session.events, session.verdicts),
    metrics,
    attribution: [],
    criteria,
    findings: []
  }
}
