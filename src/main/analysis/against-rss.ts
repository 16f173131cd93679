/**
 * A metric the trend leaves undecided, read against RSS, which the seed's criterion is on
 * ("memory growth < 10 %"), when RSS itself is decided. Both ways a metric can only follow
 * RSS, never lead it: a decided metric is never re-judged.
 *
 * Stable (`within-rss`). Each metric's margins are shares of its own level, so the same bytes
 * per minute weigh more against a part of the process than against the whole: a recorded
 * clean run's heap (80 MiB of a 128 MiB RSS, the rest the binary and libraries mapped) moved
 * as RSS did, yet RSS held steady and the heap, held to 10 % of 80 MiB, was left undecided. So
 * while RSS is stable, the metric is judged once more with RSS's level as the margins' base,
 * and is stable when it passes the same tests any stable metric does against the whole
 * process: the growth it can still hide under the seed's margin, and no rise seen.
 *
 * Leak (`with-rss`). PSS is read every fifth sample or less, and on a sawtooth its few
 * troughs, or ten points under a 99.9 % test, can miss a leak RSS shows plainly: a recorded
 * run leaking 512 B per insert had RSS and heap leak at 10.6 MiB/min and PSS "too noisy"
 * at 7.3 (95 % interval 3.0 to 11.6). While RSS leaks, a metric that surely grows (its 95 %
 * interval above zero) at a rate that holds RSS's slope is that leak, seen through fewer
 * samples. PSS follows only when the heap leaks too: a PSS leak must stand on the process's
 * own pages (shared-pages.ts), and RSS can grow in file pages PSS shares with others.
 */
import type { Point } from './growth'
import { analyzeMetric, type MetricReport } from './metric'
import type { PhaseSpan } from './phases'
import { withinRssReason, withRssReason } from './words'

/** Undecided for reasons other than the trend's noise: not read against RSS. */
const OTHER_QUESTIONS = new Set(['too-short', 'no-flush'])

/**
 * `report` as judged against RSS. `judged`: the reports before it (JUDGED_FIELDS' order:
 * RSS first, then the heap).
 */
export function checkAgainstRss(
  report: MetricReport,
  points: readonly Point[],
  spans: readonly PhaseSpan[],
  memtables: readonly Point[],
  judged: readonly MetricReport[]
): MetricReport {
  const rss = judged.find((r) => r.field === 'rssBytes')
  if (
    !rss ||
    report.analysis.verdict !== 'inconclusive' ||
    OTHER_QUESTIONS.has(report.analysis.reasonCode ?? '')
  ) {
    return report
  }
  if (rss.analysis.verdict === 'stable')
    return stableWithinRss(report, points, spans, memtables, rss)
  if (rss.analysis.verdict !== 'leak') return report
  const heapLeaks = judged.find((r) => r.field === 'heapBytes')?.analysis.verdict === 'leak'
  if (report.field === 'pssBytes' && !heapLeaks) return report
  const [lo, hi] = report.analysis.slopeCi95
  const rssSlope = rss.analysis.slopeBytesPerMin
  if (!(lo > 0 && lo <= rssSlope && rssSlope <= hi)) return report
  return {
    ...report,
    analysis: {
      ...report.analysis,
      verdict: 'leak',
      reasonCode: 'with-rss',
      reason: withRssReason(report.field, report.trend, rssSlope)
    }
  }
}

function stableWithinRss(
  report: MetricReport,
  points: readonly Point[],
  spans: readonly PhaseSpan[],
  memtables: readonly Point[],
  rss: MetricReport
): MetricReport {
  const rssLevel = rss.trend.levelBytes
  if (rssLevel <= report.trend.levelBytes) return report
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
