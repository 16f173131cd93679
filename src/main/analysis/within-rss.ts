/**
 * Each metric's margins are shares of its own level, so the same bytes per minute weigh more
 * against a part of the process than against the whole: a recorded clean run's heap (80 MiB
 * of a 128 MiB RSS, the rest the binary and libraries mapped) moved as RSS did, yet RSS held
 * steady and the heap, held to 10 % of 80 MiB, was left undecided. The seed's criterion is on
 * RSS ("memory growth < 10 %"). So a metric the trend leaves undecided while RSS is stable is
 * judged once more with RSS's level as the margins' base: stable when, against the whole
 * process, it passes the same tests any stable metric does — the growth it can still hide
 * under the seed's margin, and no rise seen. A leak is never re-judged, and RSS's own verdict
 * is the precondition: a heap can only follow RSS to stable, never lead it there.
 */
import type { Point } from './growth'
import { analyzeMetric, type MetricReport } from './metric'
import type { PhaseSpan } from './phases'
import { withinRssReason } from './words'

export function checkAgainstRss(
  report: MetricReport,
  points: readonly Point[],
  spans: readonly PhaseSpan[],
  memtables: readonly Point[],
  rss: MetricReport | undefined
): MetricReport {
  if (
    !rss ||
    rss.analysis.verdict !== 'stable' ||
    report.analysis.verdict !== 'inconclusive' ||
    rss.trend.levelBytes <= report.trend.levelBytes
  ) {
    return report
  }
  const rssLevel = rss.trend.levelBytes
  const again = analyzeMetric(report.field, points, spans, memtables, {
    marginLevelBytes: rssLevel
  })
  if (!again || again.analysis.verdict !== 'stable') return report
  return {
    ...again,
    analysis: {
      ...again.analysis,
      reasonCode: 'within-rss',
      reason: withinRssReason(report.field, again.trend, rssLevel)
    }
  }
}
