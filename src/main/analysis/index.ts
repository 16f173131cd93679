/**
 * The analysis of a recorded session: pure, no I/O. `analyzeSession` is what `analyze`,
 * reports and the UI call; each part lives in its own file (STYLE.md §12) and every sentence
 * comes from words.ts (§13). Findings put the answer first, most important first (§15).
 */
import type { AnalysisResult, Attribution, Finding } from '../../shared/analysis'
import type { MemoryField } from '../../shared/sample'
import type { SessionData, SessionEvent } from '../../shared/session'
import { checkAgainstRss } from './against-rss'
import { ATTRIBUTED_FIELDS, attribute, attributeTroughs } from './attribution'
import { reconcileConnections } from './connections'
import { pointsOf } from './growth'
import { flushedBetween, memtablesOf, samplesWithoutFlushCycle } from './flush-cycle'
import { checkLeakAgainstFlushes, checkLeakAgainstFlushPhase, unflushedSince } from './flushes'
import { cpuSummary, latencyPercentiles } from './latency'
import { analyzeMetric, type MetricReport } from './metric'
import { loadSpan, phaseSpans } from './phases'
import { checkPssAgainstOwnPages, checkPssInSteadyRss } from './shared-pages'
import { sessionSnapshotDiff } from './snapshots'
import { sessionStatus } from './status'
import { WARMUP_FRACTION, WARMUP_MAX_MS } from './trend'
import * as words from './words'

export * from './growth'
export * from './phases'
export { sessionStatus } from './status'
export { judgeTrend, type TrendResult, type TrendCode } from './trend'
export { analyzeRelease, type ReleaseResult } from './release'
export { attribute } from './attribution'
export { reconcileConnections, CONNECTION_GRACE_MS } from './connections'
export { latencyPercentiles, cpuSummary } from './latency'
export { sessionSnapshotDiff } from './snapshots'

/** The memory metrics judged for leaks (PSS only where measured; USS and swap are not judged). */
export const JUDGED_FIELDS = [
  'rssBytes',
  'heapBytes',
  'fileMappedBytes',
  'stackBytes',
  'pssBytes'
] as const satisfies readonly MemoryField[]

export function analyzeSession(session: SessionData): AnalysisResult {
  const samples = [...session.samples].sort((a, b) => a.t - b.t)
  const events = [...session.events].sort((a, b) => a.t - b.t)
  const criteria = session.verdicts ?? []
  const status = sessionStatus(session.meta, events, session.verdicts)
  const first = samples[0]
  const last = samples[samples.length - 1]
  const spans = phaseSpans(events, last?.t ?? session.meta.startedAt)
  const load = loadSpan(spans)

  const memtables = memtablesOf(samples)
  const heap = pointsOf(samples, 'heapBytes')
  // Where the server says it flushed, RSS's drops are the heap's: its file pages ride along
  // (trend.ts movingPart). Without that word a drop under 1 % of RSS may be the heap's noise
  // wandering, and is not taken for one.
  const sawFlush = flushedBetween(memtables, load?.from ?? -Infinity, load?.to ?? Infinity)
  const reports: MetricReport[] = []
  for (const field of JUDGED_FIELDS) {
    const points = pointsOf(samples, field)
    const moving = sawFlush && field === 'rssBytes' ? { movingPart: heap } : {}
    const r = analyzeMetric(field, points, spans, memtables, moving)
    if (!r) continue
    // RSS is judged first (JUDGED_FIELDS' order): the others are checked against it.
    const own =
      field === 'pssBytes'
        ? checkPssAgainstOwnPages(r, pointsOf(samples, 'ussBytes'), spans, memtables, reports)
        : r
    // A part's leak RSS does not show is held to RSS's level, as against-rss.ts re-judges it.
    const rss = reports.find((x) => x.field === 'rssBytes')
    const rssLevel =
      rss && rss.analysis.verdict !== 'leak' && rss.trend.levelBytes > r.trend.levelBytes
        ? rss.trend.levelBytes
        : undefined
    const flushed = checkLeakAgainstFlushPhase(
      checkLeakAgainstFlushes(own, samples, events, rssLevel),
      points,
      memtables
    )
    const checked = checkAgainstRss(flushed, points, spans, memtables, reports)
    reports.push(field === 'pssBytes' ? checkPssInSteadyRss(checked, reports) : checked)
  }
  const metrics: AnalysisResult['metrics'] = {}
  for (const r of reports) metrics[r.field as MemoryField] = r.analysis

  // Each field is attributed on what its trend was judged on: less the flush cycle, if taken
  // out. Without a flush in the load (its warm-up too: more polls, and a flush there would
  // show), rows still held in memtables count per insert too; a flush after it (T228's) came
  // after the line was drawn.
  const window = attributionWindow(load)
  const unflushed = unflushedSince(samples, events, load?.from ?? first?.t ?? 0, load?.to) !== null
  const attribution = ATTRIBUTED_FIELDS.flatMap((field) => {
    const report = reports.find((r) => r.field === field)
    const cycle = report?.flushCycle
    const onSamples = attribute({
      samples: cycle ? samplesWithoutFlushCycle(samples, field, cycle) : samples,
      events,
      window,
      fields: [field]
    }).map((a) => (unflushed && a.per === 'insert' ? { ...a, beforeFlush: true } : a))
    // A metric judged by its sawtooth's troughs whose samples no line explains: what do its
    // troughs grow with (attributeTroughs)?
    const saw = report?.trend.sawtooth
    return onSamples.length > 0 || !saw ? onSamples : attributeTroughs(field, saw.troughs, events)
  })
  const connections = reconcileConnections(samples, events)
  const snapshotDiff = sessionSnapshotDiff(session.snapshots)

  return {
    schemaVersion: 1,
    status,
    metrics,
    attribution,
    criteria,
    findings: findings({
      session,
      events,
      status,
      reports,
      attribution,
      connections,
      snapshotDiff
    }),
    ...(connections ? { connections } : {}),
    latency: latencyPercentiles(session.latency),
    cpu: cpuSummary(samples, load ? { from: load.from, to: load.to } : undefined),
    snapshotDiff,
    durationMs: first && last ? last.t - first.t : 0,
    sampleCount: samples.length
  }
}

/** The load phase after its warm-up (the trend's rule), or everything when there is none. */
function attributionWindow(
  load: { from: number; to: number } | null
): { from: number; to: number } | undefined {
  if (!load) return undefined
  const warmup = Math.min(WARMUP_MAX_MS, WARMUP_FRACTION * (load.to - load.from))
  return { from: load.from + warmup, to: load.to }
}

interface FindingsInput {
  session: SessionData
  events: readonly SessionEvent[]
  status: AnalysisResult['status']
  reports: readonly MetricReport[]
  attribution: readonly Attribution[]
  connections: AnalysisResult['connections'] | null
  snapshotDiff: AnalysisResult['snapshotDiff']
}

function findings(i: FindingsInput): Finding[] {
  const problems: Finding[] = []
  const warnings: Finding[] = []
  const infos: Finding[] = []
  const { session, reports, attribution, connections } = i

  if (i.status === 'target-crashed') {
    const crash = i.events.find((e) => e.type === 'crash') as
      Extract<SessionEvent, { type: 'crash' }> | undefined
    problems.push({
      severity: 'problem',
      text: words.crashFinding(crash?.message ?? session.meta.endReason?.toString() ?? null)
    })
  }
  if (i.status === 'interrupted')
    warnings.push({ severity: 'warning', text: words.interruptedFinding() })
  if (session.samples.length === 0)
    warnings.push({ severity: 'warning', text: words.noSamplesFinding() })

  const leaks: Finding[] = []
  const mentioned = new Set<Attribution>()
  const heap = reports.find((r) => r.field === 'heapBytes')
  for (const r of reports) {
    const a = r.analysis
    if (a.verdict === 'leak') {
      const best = attribution.find((x) => x.metric === r.field) ?? null
      if (best) mentioned.add(best)
      const heapShare =
        r.field === 'rssBytes' && heap && a.slopeBytesPerMin > 0
          ? Math.max(0, heap.analysis.slopeBytesPerMin / a.slopeBytesPerMin)
          : null
      leaks.push({
        severity: 'problem',
        metric: r.field,
        text: words.leakFinding({
          field: r.field,
          slopeBytesPerMin: a.slopeBytesPerMin,
          growthPercent: a.growthPercent,
          windowMs: r.trend.window.to - r.trend.window.from,
          heapShare,
          attribution: best,
          release: r.release && r.release.releasedPercent !== null ? r.release : null,
          tooShortForRate: r.trend.code === 'too-short'
        })
      })
    } else if (a.verdict === 'inconclusive') {
      warnings.push({ severity: 'warning', metric: r.field, text: a.reason })
    } else {
      infos.push({ severity: 'info', metric: r.field, text: a.reason })
    }
  }
  // RSS first among leaks: it is what users see.
  problems.push(...leaks.sort((a, b) => rank(a.metric) - rank(b.metric)))

  if (connections?.stale) {
    problems.push({ severity: 'problem', text: words.staleConnectionsFinding(connections) })
  } else if (connections?.missing) {
    warnings.push({ severity: 'warning', text: words.missingConnectionsFinding(connections) })
  }
  for (const c of i.session.verdicts ?? []) {
    if (c.pass === false) problems.push({ severity: 'problem', text: words.criterionFinding(c) })
    else if (c.pass === null)
      warnings.push({ severity: 'warning', text: words.criterionFinding(c) })
  }
  for (const a of attribution) {
    if (mentioned.has(a)) continue
    // Growth under load that came back after it is the load's working set: said with the figure,
    // so "grows with the workload" beside "gave it back" reads as one account, not two.
    const m = reports.find((r) => r.field === a.metric)?.analysis
    infos.push({
      severity: 'info',
      metric: String(a.metric),
      text: words.attributionFinding(
        a,
        m?.reasonCode === 'released' || m?.reasonCode === 'partly-released'
          ? m.releasedPercent
          : null
      )
    })
  }
  const top = i.snapshotDiff?.rows[0]
  if (i.snapshotDiff && top && top.deltaRssBytes > 0) {
    infos.push({
      severity: 'info',
      text: words.snapshotFinding(top, i.snapshotDiff.totalDeltaRssBytes)
    })
  }
  if (session.skippedLines > 0) {
    infos.push({ severity: 'info', text: words.skippedLinesFinding(session.skippedLines) })
  }
  if (session.unreadable && session.unreadable.length > 0) {
    infos.push({ severity: 'info', text: words.unreadablePartsFinding(session.unreadable) })
  }
  return [...problems, ...warnings, ...infos]
}

function rank(metric: string | undefined): number {
  const i = (JUDGED_FIELDS as readonly string[]).indexOf(metric ?? '')
  return i < 0 ? JUDGED_FIELDS.length : i
}
