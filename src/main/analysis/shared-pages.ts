/**
 * PSS counts a share of every page the process maps with others (the server's binary and
 * libraries, files another process has open), divided by how many map it: it moves when
 * those processes start or stop, while nothing in the server changes. A recording on a
 * laptop running a build or a test suite beside the server shows PSS stepping by megabytes
 * with RSS and USS flat. So a PSS leak stands only when the process's own pages — USS, read
 * in the same smaps_rollup pass — leak too; otherwise PSS takes USS's verdict, saying why.
 */
import { checkAgainstRss } from './against-rss'
import type { Point } from './growth'
import { analyzeMetric, type MetricReport } from './metric'
import type { PhaseSpan } from './phases'
import { sharedPagesReason } from './words'

/**
 * The PSS report, checked against the process's own pages: a PSS leak whose USS does not leak
 * takes USS's verdict; an undecided PSS whose USS and RSS are both stable is stable (PSS is
 * USS plus shares of pages RSS holds, so with neither growing only the shares moved).
 * `judged`: the reports judged before PSS (RSS, the heap).
 */
export function checkPssAgainstOwnPages(
  pss: MetricReport,
  ussPoints: readonly Point[],
  spans: readonly PhaseSpan[],
  memtables: readonly Point[],
  judged: readonly MetricReport[]
): MetricReport {
  const rss = judged.find((r) => r.field === 'rssBytes')
  const { verdict, reasonCode } = pss.analysis
  if (verdict === 'stable' || reasonCode === 'too-short' || reasonCode === 'no-data') return pss
  const measured = analyzeMetric('ussBytes', ussPoints, spans, memtables)
  if (!measured) return pss
  // (USS is the process's own pages, a part of RSS, judged as the heap is: against-rss.ts.)
  const uss = checkAgainstRss(measured, ussPoints, spans, memtables, judged)
  const own = uss.analysis.verdict
  // USS's rise read as the flush cycle's phase (flushes.ts): PSS's own leak is put the same
  // question next, in its own figures, which say more than "USS is undecided".
  if (verdict === 'leak' && uss.analysis.reasonCode === 'flush-phase') return pss
  if (
    verdict === 'leak' ? own === 'leak' : own !== 'stable' || rss?.analysis.verdict !== 'stable'
  ) {
    return pss
  }
  return {
    ...pss,
    analysis: {
      ...pss.analysis,
      verdict: own,
      reasonCode: own === 'stable' ? 'shared-pages' : 'own-pages-unclear',
      reason: sharedPagesReason(pss.analysis.slopeBytesPerMin, uss.analysis, verdict === 'leak')
    }
  }
}
