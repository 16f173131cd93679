/**
 * PSS counts a share of every page the process maps with others (the server's binary and
 * libraries, files another process has open), divided by how many map it: it moves when
 * those processes start or stop, while nothing in the server changes. A recording on a
 * laptop running a build or a test suite beside the server shows PSS stepping by megabytes
 * with RSS and USS flat. So a PSS leak stands only when the process's own pages — USS, read
 * in the same smaps_rollup pass — leak too; otherwise PSS takes USS's verdict, saying why.
 * And a PSS left undecided beside a steady RSS and heap is stable: its pages are theirs.
 */
import { checkAgainstRss } from './against-rss'
import type { Point } from './growth'
import { analyzeMetric, type MetricReport } from './metric'
import type { PhaseSpan } from './phases'
import { pagesInSteadyRssReason, sharedPagesReason } from './words'

/** Undecided PSS left as it is: too little of it was read to judge at all. */
const NOT_JUDGED = new Set(['too-short', 'no-data'])

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
  if (verdict === 'stable' || NOT_JUDGED.has(reasonCode ?? '')) return pss
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

/**
 * An undecided PSS beside a process whose RSS and heap both held steady is stable
 * (`in-steady-rss`). Every page PSS counts is one of RSS's, and what the process holds of its
 * own (USS) is RSS's anonymous part, the heap, plus private file pages RSS holds too: with
 * RSS and the heap both steady, read at every sample, PSS can only have moved by its shares
 * of pages other processes map. PSS, read on a fifth of the samples, is often too few to
 * decide alone (held-out clean runs: cpu-under-load, flush-under-load, memory-stability at
 * 200 rows/s had RSS and heap stable and PSS undecided, noisy or few cycles). Asking the
 * heap too, not RSS alone: RSS can hold level while anonymous pages grow into room the
 * kernel takes back from file pages. Runs last, on PSS's final verdict (index.ts). The cost:
 * PSS now shares a wrong stable verdict of RSS and the heap (the evaluation at seeds 41-100:
 * 79 undecided PSS verdicts made right, 6 leaks read stable with them; none at seeds 1-40).
 */
export function checkPssInSteadyRss(
  pss: MetricReport,
  judged: readonly MetricReport[]
): MetricReport {
  const { verdict, reasonCode } = pss.analysis
  if (verdict !== 'inconclusive' || NOT_JUDGED.has(reasonCode ?? '')) return pss
  const steady = (field: string): MetricReport | undefined => {
    const r = judged.find((j) => j.field === field)
    return r?.analysis.verdict === 'stable' ? r : undefined
  }
  const rss = steady('rssBytes')
  const heap = steady('heapBytes')
  if (!rss || !heap) return pss
  return {
    ...pss,
    analysis: {
      ...pss.analysis,
      verdict: 'stable',
      reasonCode: 'in-steady-rss',
      reason: pagesInSteadyRssReason(pss.trend, rss.analysis, heap.analysis)
    }
  }
}
