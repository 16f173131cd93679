/**
 * PSS counts a share of every page the process maps with others (the server's binary and
 * libraries, files another process has open), divided by how many map it: it moves when
 * those processes start or stop, while nothing in the server changes. A recording on a
 * laptop running a build or a test suite beside the server shows PSS stepping by megabytes
 * with RSS and USS flat. So a PSS leak stands only when the process's own pages — USS, read
 * in the same smaps_rollup pass — leak too; otherwise PSS takes USS's verdict, saying why.
 */
import type { Point } from './growth'
import { analyzeMetric, type MetricReport } from './metric'
import type { PhaseSpan } from './phases'
import { sharedPagesReason } from './words'

/** The PSS report, with its leak overturned when its own pages (USS) do not leak. */
export function checkPssAgainstOwnPages(
  pss: MetricReport,
  ussPoints: readonly Point[],
  spans: readonly PhaseSpan[]
): MetricReport {
  if (pss.analysis.verdict !== 'leak') return pss
  const uss = analyzeMetric('ussBytes', ussPoints, spans)
  if (!uss || uss.analysis.verdict === 'leak') return pss
  return {
    ...pss,
    analysis: {
      ...pss.analysis,
      verdict: uss.analysis.verdict,
      reasonCode: 'shared-pages',
      reason: sharedPagesReason(pss.analysis.slopeBytesPerMin, uss.analysis)
    }
  }
}
