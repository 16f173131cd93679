/**
 * A metric the trend leaves undecided, read against RSS, which the seed's criterion is on
 * ("memory growth < 10 %"), when RSS itself is decided. Either way a metric only follows (RSS,
 * or for PSS the heap), never leads: an undecided RSS leads nothing, and the only decided
 * verdicts re-judged are a part's leak that RSS does not show, and a sparse PSS's stable
 * verdict, or leak on a line, that the heap does not share (below).
 *
 * Stable (`within-rss`). Each metric's margins are shares of its own level, so the same bytes
 * per minute weigh more against a part of the process than against the whole: a recorded
 * clean run's heap (80 MiB of a 128 MiB RSS, the rest the binary and libraries mapped) moved
 * as RSS did, yet RSS held steady and the heap, held to 10 % of 80 MiB, was left undecided. So
 * while RSS is stable, the metric is judged once more with RSS's level as the margins' base,
 * and is stable when it passes the same tests any stable metric does against the whole
 * process: the growth it can still hide under the seed's margin, and no rise seen.
 *
 * Leak (`with-rss`, `with-heap`). PSS is read every fifth sample or less, and on a sawtooth
 * its few troughs, or ten points under a 99.9 % test, can miss a leak RSS shows plainly: a
 * recorded run leaking 512 B per insert had RSS and heap leak at 10.6 MiB/min and PSS "too
 * noisy" at 7.3 (95 % interval 3.0 to 11.6). While RSS leaks, a metric too noisy to call is
 * that leak seen through fewer samples when its data agree: its 95 % interval holds the slope
 * it follows. PSS and USS follow the heap, and only when the heap leaks: they count every
 * private page it holds, so its leak is theirs, and their estimate need only lie nearer that
 * leak than no growth (RSS alone can grow in file pages PSS shares with others). Any other metric
 * follows RSS and must surely grow on its own (its interval above zero): RSS is the sum of
 * parts that need not all grow.
 *
 * Not a leak (`small-beside-rss`). The one decided verdict re-judged: a part's leak that RSS
 * does not show is judged once more with RSS's level as the margins' base, as for `within-rss`,
 * and takes that verdict when it is no leak there: growth too small for the process.
 */
import { flushedBetween } from './flush-cycle'
import { checkLeakAgainstFlushPhase } from './flushes'
import type { Point } from './growth'
import { analyzeMetric, type MetricReport } from './metric'
import type { PhaseSpan } from './phases'
import { RELEASED_CLEARLY_PERCENT } from './release'
import {
  followsLeakReason,
  smallBesideRssReason,
  sparseBesideHeapReason,
  sparseLeakBesideHeapReason,
  sparseLeakBesideUnclearHeapReason,
  sparseReleaseBesideHeapReason,
  withinRssReason
} from './words'

/**
 * Undecided for reasons other than the trend's noise — too short, no flush yet, or a line's
 * leak the flush cycle explains (flushes.ts) — and not read against RSS.
 */
const OTHER_QUESTIONS = new Set(['too-short', 'no-flush', 'flush-phase'])

/**
 * `given` as judged against RSS and, for PSS, the heap. `judged`: the reports before it
 * (JUDGED_FIELDS' order: RSS first, then the heap).
 */
export function checkAgainstRss(
  given: MetricReport,
  points: readonly Point[],
  spans: readonly PhaseSpan[],
  memtables: readonly Point[],
  judged: readonly MetricReport[]
): MetricReport {
  const report = checkSparseAgainstHeap(given, judged, memtables)
  const rss = judged.find((r) => r.field === 'rssBytes')
  // The metric judged again with RSS's level as its margins' base; null when RSS is no larger.
  const againstRssLevel = (rssLevel: number): MetricReport | null =>
    rssLevel <= report.trend.levelBytes
      ? null
      : analyzeMetric(report.field, points, spans, memtables, { marginLevelBytes: rssLevel })
  if (rss && report.analysis.verdict === 'leak' && rss.analysis.verdict !== 'leak') {
    // A part's leak that RSS does not show: no leak when its growth is under the process's
    // leak margin. The simulator's own heap creeps (bloom filters, V8's old space: 4-9 B per
    // insert): over 13 minutes of a clean recording 127 KiB/min, 0.25 %/min of its 52 MiB heap
    // and a leak against that, 0.12 %/min of the 100 MiB process, whose RSS held steady.
    // Judged whole: a line's leak that is the flush cycle's phase against the process's
    // margin is that (flushes.ts), as it was for RSS. A clean query-latency run's heap grew
    // 1.5 MiB/min over two 54 s cycles; beside its memtables 14 KiB/min, 95 % under 254 —
    // over the heap's own margin (139) but under RSS's (265), whose leak had been taken back.
    const rejudged = againstRssLevel(rss.trend.levelBytes)
    const again = rejudged && checkLeakAgainstFlushPhase(rejudged, points, memtables)
    if (!again || again.analysis.verdict === 'leak') return report
    if (again.analysis.reasonCode === 'flush-phase') return again
    const reason = smallBesideRssReason(
      report.field,
      report.trend,
      again.trend,
      rss.trend.levelBytes
    )
    return withReason(again, 'small-beside-rss', reason)
  }
  if (
    !rss ||
    report.analysis.verdict !== 'inconclusive' ||
    OTHER_QUESTIONS.has(report.analysis.reasonCode ?? '')
  ) {
    return report
  }
  if (rss.analysis.verdict === 'stable') {
    const again = againstRssLevel(rss.trend.levelBytes)
    if (!again || again.analysis.verdict !== 'stable') return report
    // Given back after load, what it kept held to RSS: that reason says so itself.
    if (again.analysis.reasonCode === 'released') return again
    const reason = withinRssReason(report.field, again.trend, rss.trend.levelBytes)
    return withReason(again, 'within-rss', reason)
  }
  if (rss.analysis.verdict !== 'leak') return report
  const ownPages = report.field === 'pssBytes' || report.field === 'ussBytes'
  const heap = judged.find((r) => r.field === 'heapBytes')
  const followed = ownPages ? (heap?.analysis.verdict === 'leak' ? heap : null) : rss
  if (!followed) return report
  const [lo, hi] = report.analysis.slopeCi95
  const slope = followed.analysis.slopeBytesPerMin
  // (Own pages: the estimate nearer the heap's leak than no growth at all.)
  const grows = ownPages ? report.analysis.slopeBytesPerMin >= slope / 2 : lo > 0
  if (!(grows && lo <= slope && slope <= hi)) return report
  return {
    ...report,
    analysis: {
      ...report.analysis,
      verdict: 'leak',
      reasonCode: ownPages ? 'with-heap' : 'with-rss',
      reason: followsLeakReason(report.field, report.trend, followed.field, slope)
    }
  }
}

/** Stable verdicts of the trend alone that a sparse PSS may not give while the heap doubts. */
const SPARSE_STABLE_CODES = new Set(['flat', 'levelled-off'])

/** The heap has this many times PSS's readings, or more, for PSS to count as sparse beside it. */
const SPARSE_SHARE = 2

/**
 * Not a leak (`sparse-beside-heap`), the other way round. A flush sawtooth of 30 s that PSS,
 * read every 5 s, does not see is a line through peaks and troughs to PSS, which reads a leak
 * when its window ends high: a recorded clean actor-stability run (2 minutes, four flushes)
 * had PSS leak at 1.0 MiB/min while the heap, read at every sample, found the sawtooth and
 * its troughs undecided. So a PSS leak on a line (`growing`, no sawtooth of its own) beside a
 * heap read at least SPARSE_SHARE times as often, judged by its troughs and no leak, is
 * undecided too — where the server reported a flush in the heap's window, so that its
 * sawtooth is the flushes' and not wandering noise read as one (without that, at seeds 11-40
 * of the evaluation, 3 flat series under AR noise at 10 Hz lost their stable PSS and 3 slow
 * leaks their PSS leak). USS is left to shared-pages.ts, which asks it of PSS's own pages.
 * The same when the heap, on all its samples, cannot tell whether growth goes on to the end
 * of its window (`unclear-end`): ten readings saying "still growing" see that end less well.
 * A clean ws-connection-leak run with 200 subscriptions and 20 churn cycles had PSS leak on
 * 10 readings over 42 s while the heap, on 47, and RSS doubted their end.
 *
 * Not stable (`sparse-beside-heap`). PSS and USS are read on a fifth of the samples or fewer;
 * their pages are mostly the heap's. When they read steady (flat, or levelled off) while the
 * heap, read at every sample and at least twice as often, is not stable and its slope is at
 * the leak margin or more, the few readings are no proof: they are undecided. A 50 s flush
 * sawtooth rising 1 %/min under 1 % jitter gives PSS five troughs, which can read flat where
 * the heap's slope says otherwise (the evaluation at seeds 11-40: 5 such leaks read stable).
 * A heap slope under the leak margin leaves PSS alone: asking only that the heap be unsettled
 * cost 16 flat series their stable PSS there, this costs 6.
 *
 * Nor a release (`sparse-beside-heap`) the heap does not show. The level load started from is
 * the later half of the baseline phase, at least three readings: on a sparse PSS in a 10 s
 * baseline those reach back before the server collected its setup garbage. A recorded
 * graceful-degradation run leaking 1 KiB per insert fell 7 MiB 6 s into its baseline; PSS's
 * three readings put the start before the fall and read 97 % given back, where the heap, read
 * every second, gave back 61 %. So a sparse PSS or USS *released* beside a heap that did not
 * give back clearly (RELEASED_CLEARLY_PERCENT) is undecided. The cost in the evaluation: at
 * seeds 41-100, two loads releasing 80 % whose RSS and heap read partly released lose their
 * PSS's stable (none at seeds 1-40).
 */
function checkSparseAgainstHeap(
  report: MetricReport,
  judged: readonly MetricReport[],
  memtables: readonly Point[]
): MetricReport {
  const heap = judged.find((r) => r.field === 'heapBytes')
  if (!heap || heap.trend.samplesUsed < SPARSE_SHARE * report.trend.samplesUsed) return report
  const { verdict, reasonCode } = report.analysis
  const heapSawFlushes =
    heap.trend.sawtooth !== null &&
    flushedBetween(memtables, heap.trend.window.from, heap.trend.window.to)
  const heapDoubtsEnd = heap.analysis.reasonCode === 'unclear-end'
  const leakOnALine =
    report.field === 'pssBytes' &&
    verdict === 'leak' &&
    reasonCode === 'growing' &&
    !report.trend.sawtooth &&
    heap.analysis.verdict !== 'leak' &&
    (heapSawFlushes || heapDoubtsEnd)
  const steadyAlone =
    (report.field === 'pssBytes' || report.field === 'ussBytes') &&
    verdict === 'stable' &&
    SPARSE_STABLE_CODES.has(reasonCode ?? '') &&
    heap.analysis.verdict !== 'stable' &&
    heap.trend.slopeBytesPerMin >= heap.trend.leakMarginBytesPerMin
  const heapReleased = heap.analysis.releasedPercent
  const releasedAlone =
    (report.field === 'pssBytes' || report.field === 'ussBytes') &&
    reasonCode === 'released' &&
    heapReleased !== null &&
    heapReleased < RELEASED_CLEARLY_PERCENT
  if (!leakOnALine && !steadyAlone && !releasedAlone) return report
  const reason = releasedAlone
    ? sparseReleaseBesideHeapReason(
        report.field,
        report.analysis.releasedPercent ?? 0,
        heapReleased,
        heap.trend.samplesUsed
      )
    : !leakOnALine
      ? sparseBesideHeapReason(report.field, report.trend, heap.analysis.verdict)
      : heapSawFlushes
        ? sparseLeakBesideHeapReason(report.field, report.trend, heap.analysis.verdict)
        : sparseLeakBesideUnclearHeapReason(report.field, report.trend)
  return {
    ...report,
    analysis: {
      ...report.analysis,
      verdict: 'inconclusive',
      reasonCode: 'sparse-beside-heap',
      reason
    }
  }
}

function withReason(report: MetricReport, reasonCode: string, reason: string): MetricReport {
  return { ...report, analysis: { ...report.analysis, reasonCode, reason } }
}
