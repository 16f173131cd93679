/**
 * Every sentence the analysis says, in one place (STYLE.md §13, after Clinic Doctor's
 * recommendations/*.md): the reason behind each verdict and each finding. The CLI, reports
 * and the UI all show these strings, so they agree word for word. Logic decides; this module
 * only words. Figures arrive in bytes, ms and percent and are formatted here (units.ts).
 */
import {
  ATTRIBUTION_UNIT,
  BEFORE_FLUSH_NOTE,
  type Attribution,
  type ConnectionReconciliation,
  type MetricAnalysis,
  type MetricVerdict
} from '../../shared/analysis'
import type { CriterionResult } from '../../shared/session'
import type { SnapshotDiffRow } from '../../shared/snapshot'
import { formatBytes, formatBytesBound, formatDuration, formatMeasured } from '../../shared/units'
import type { FlushCycle } from './flush-cycle'
import { KEPT_MAX_FRACTION, type ReleaseResult } from './release'
import {
  LEAK_MIN_GROWTH_FRACTION,
  STABLE_GROWTH_FRACTION,
  STABLE_HORIZON_MS,
  type TrendCode,
  type TrendResult
} from './trend'

/** How each judged metric is named in a sentence. */
export const METRIC_NAME: Record<string, string> = {
  rssBytes: 'RSS',
  heapBytes: 'Heap (RssAnon)',
  fileMappedBytes: 'File-mapped memory (RssFile)',
  stackBytes: 'Stack (VmStk)',
  pssBytes: 'PSS',
  ussBytes: 'USS',
  swapBytes: 'Swap'
}

export function metricName(field: string): string {
  return METRIC_NAME[field] ?? field
}

/** "+1.9 MiB/min" */
export function rate(bytesPerMin: number): string {
  return `${bytesPerMin >= 0 ? '+' : ''}${formatBytes(bytesPerMin)}/min`
}

export function pct(p: number, digits = 1): string {
  return `${p.toFixed(digits)}%`
}

/** The growth a short window's leak must reach, as a share of the level (trend.ts): "2%", "3.8%". */
function growthShare(fraction = LEAK_MIN_GROWTH_FRACTION): string {
  return `${Number((100 * fraction).toFixed(1))}%`
}

function signedPct(p: number): string {
  return `${p >= 0 ? '+' : ''}${p.toFixed(1)}%`
}

function ci(range: readonly [number, number]): string {
  return `95% CI ${formatBytesBound(range[0])} to ${formatBytesBound(range[1])}/min`
}

/** Why a metric got its verdict: one sentence per trend code (plus release codes). */
export function trendReason(field: string, t: TrendResult): string {
  const m = metricName(field)
  const span = formatDuration(t.window.to - t.window.from)
  const saw = sawClause(t)
  const reasons: Record<TrendCode, () => string> = {
    'no-data': () => `${m} was not measured in this session.`,
    'too-short': () =>
      `${m} has only ${t.samplesUsed} sample${t.samplesUsed === 1 ? '' : 's'} over ${span} after warm-up: too short to tell a leak from noise.`,
    constant: () => `${m} did not change (${formatBytes(t.levelBytes)} throughout).`,
    growing: () =>
      `${m} grew ${rate(t.slopeBytesPerMin)} (${ci(t.slopeCi95)}) and was still growing at the end of the ${span} window${saw}.`,
    'growing-slower': () =>
      `${m} grew ${rate(t.slopeBytesPerMin)} and was still growing at the end, if slower (${rate(t.lateSlopeBytesPerMin ?? 0)} in the last half)${saw}.`,
    'levelled-off': () =>
      `${m} rose and then levelled off (the last part of the window grew slower than a leak would, if at all): a step or a warm-up, not a leak${saw}.`,
    'fell-back': () => `${m} rose and then fell back: memory was given back, not leaked${saw}.`,
    flat: () =>
      t.troughBand
        ? troughBandReason(m, t, t.troughBand)
        : `${m} held steady at ${formatBytes(t.levelBytes)}: ${slopeOver(t)}.`,
    shrinking: () => `${m} shrank ${rate(t.slopeBytesPerMin)} over ${span}${saw}.`,
    noisy: () =>
      `${m} moved ${rate(t.slopeBytesPerMin)} over ${span}, but the noise (${ci(t.slopeCi95)}) is too large to call it a leak or stable${saw}.`,
    'unclear-end': () =>
      `${m} grew ${rate(t.slopeBytesPerMin)} (${ci(t.slopeCi95)}) over ${span}, but the last part of the window neither clearly grows on nor clearly levels off${saw}.`,
    'few-cycles': () => `${m} is a sawtooth with too few cycles in ${span} to judge its troughs.`,
    'kept-after-fall': () => keptAfterFallReason(m, t),
    'small-growth': () =>
      `${m} grew ${slopeOver(t)}, ${formatBytes(t.smallGrowth?.grewBytes ?? 0)} in all: under the ${growthShare(t.smallGrowth?.minGrowthFraction)} of its level (${formatBytes(t.smallGrowth?.minGrowthBytes ?? 0)}) a leak must grow in its window, which a server still settling after its warm-up can grow too. Load longer to tell.`
  }
  return reasons[t.code]()
}

function keptAfterFallReason(m: string, t: TrendResult): string {
  const f = t.fall
  if (!f) return `${m} rose and then fell back only in part.`
  const rise = f.peakBytes - f.fromBytes
  const kept = f.endBytes - f.fromBytes
  const gaveBack = rise > 0 ? ((f.peakBytes - f.endBytes) / rise) * 100 : 0
  return `${m} rose ${formatBytes(rise)} and then fell back, but gave back only ${gaveBack.toFixed(0)}% of it and ended ${formatBytes(kept)} (${signedPct((kept / f.fromBytes) * 100)}) above where it started: what it kept may be a leak${sawClause(t)}.`
}

/** A few-cycle sawtooth held steady by its troughs' band, its slope's interval too wide to say so. */
function troughBandReason(
  m: string,
  t: TrendResult,
  band: NonNullable<TrendResult['troughBand']>
): string {
  const seed = `${STABLE_GROWTH_FRACTION * 100}% in ${STABLE_HORIZON_MS / 60_000} minutes`
  return `${m} held steady at ${formatBytes(t.levelBytes)}: the ${band.troughs} troughs of its sawtooth (a drop of ${formatBytes(t.sawtooth?.dropBytes ?? 0)} every ${formatDuration(t.sawtooth?.periodMs ?? 0)}) stayed within ${formatBytes(band.bandBytes)} of each other over ${formatDuration(band.spanMs)}, which with their noise allows at most ${rate(band.allowedBytesPerMin)}, under the seed's ${seed} (${rate(band.seedMarginBytesPerMin)}). A slope through so few troughs says little: ${rate(t.slopeBytesPerMin)} (${ci(t.slopeCi95)}).`
}

/** "+1.2 MiB/min (95% CI …) over 4m 30s", and how a sawtooth was judged. */
function slopeOver(t: TrendResult): string {
  return `${rate(t.slopeBytesPerMin)} (${ci(t.slopeCi95)}) over ${formatDuration(t.window.to - t.window.from)}${sawClause(t)}`
}

function sawClause(t: TrendResult): string {
  return t.sawtooth
    ? `, judged by the troughs of its sawtooth (a drop of ${formatBytes(t.sawtooth.dropBytes)} every ${formatDuration(t.sawtooth.periodMs)})`
    : ''
}

/** A metric undecided against its own level, stable against the process's RSS (against-rss.ts). */
export function withinRssReason(field: string, t: TrendResult, rssLevelBytes: number): string {
  return `${metricName(field)} moved ${slopeOver(t)}: too unsteady to judge against its own ${formatBytes(t.levelBytes)}, but the growth it can still hide stays under ${STABLE_GROWTH_FRACTION * 100}% of the process's RSS (${formatBytes(rssLevelBytes)}) in ${STABLE_HORIZON_MS / 60_000} minutes, the seed's limit, and RSS held steady.`
}

/** A part's leak under the leak margin of the whole process, whose RSS does not leak (against-rss.ts). */
export function smallBesideRssReason(
  field: string,
  own: TrendResult,
  againstRss: TrendResult,
  rssLevelBytes: number
): string {
  const small = againstRss.smallGrowth
  const under = small
    ? `${formatBytes(small.grewBytes)} in all, under the ${formatBytes(small.minGrowthBytes)} (${growthShare(small.minGrowthFraction)}) a leak must grow in its window against the process's RSS (${formatBytes(rssLevelBytes)})`
    : `under the leak margin of the process's RSS (${formatBytes(rssLevelBytes)}: ${rate(againstRss.leakMarginBytesPerMin)})`
  return `${metricName(field)} grew ${slopeOver(own)}: a leak against its own ${formatBytes(own.levelBytes)}, but ${under}, which does not leak.`
}

/** A sparse PSS read flat while the heap, read at every sample, is not stable (against-rss.ts). */
export function sparseBesideHeapReason(
  field: string,
  t: TrendResult,
  heapVerdict: MetricVerdict
): string {
  const heap = heapVerdict === 'leak' ? 'leaks' : 'is undecided'
  return `${metricName(field)} held steady on only ${t.samplesUsed} readings, at ${slopeOver(t)}, but the heap, whose pages it mostly counts, was read at every sample and ${heap}: too few readings to call it stable alone.`
}

/** A sparse PSS's release that the heap, read at every sample, does not show (against-rss.ts). */
export function sparseReleaseBesideHeapReason(
  field: string,
  releasedPercent: number,
  heapReleasedPercent: number,
  heapReadings: number
): string {
  return `${metricName(field)} gave ${pct(releasedPercent, 0)} of its growth back after load stopped on its few readings, but the heap, whose pages it mostly counts, read ${heapReadings} times, gave back ${pct(heapReleasedPercent, 0)}: too few readings to call it released alone.`
}

/** A sparse PSS's leak on a line, where the heap saw the sawtooth and no leak (against-rss.ts). */
export function sparseLeakBesideHeapReason(
  field: string,
  t: TrendResult,
  heapVerdict: MetricVerdict
): string {
  const heap = heapVerdict === 'stable' ? 'held steady' : 'is undecided'
  return `${metricName(field)} grew ${slopeOver(t)} on a line through ${t.samplesUsed} readings, but the heap, whose pages it mostly counts, was read at every sample and is a sawtooth that, judged by its troughs, ${heap}: PSS's readings are too few to see the cycle, and their line alone is no leak.`
}

/** A sparse PSS's leak on a line, where the heap, read at every sample, doubted its end (against-rss.ts). */
export function sparseLeakBesideUnclearHeapReason(field: string, t: TrendResult): string {
  return `${metricName(field)} grew ${slopeOver(t)} on a line through ${t.samplesUsed} readings, but the heap, whose pages it mostly counts, was read at every sample and neither clearly grows on nor clearly levels off at the end of its window: PSS's few readings are no surer of that end.`
}

/** A metric too unsteady to call whose data agree with the leak of the metric it follows (against-rss.ts). */
export function followsLeakReason(
  field: string,
  t: TrendResult,
  followed: string,
  followedSlopeBytesPerMin: number
): string {
  const why =
    followed === 'heapBytes'
      ? `it counts every page the heap holds, and the heap leaks ${rate(followedSlopeBytesPerMin)}, a rate its interval holds`
      : `it surely grows, and at a rate that holds ${metricName(followed)}'s leak (${rate(followedSlopeBytesPerMin)})`
  return `${metricName(field)} grew ${slopeOver(t)}: too unsteady to call a leak on its own, but ${why}.`
}

/**
 * Why PSS took USS's verdict. `leaked`: PSS read as a leak; else it was undecided while USS
 * and RSS held. A USS that moved too little to call says so, and blames no one.
 */
export function sharedPagesReason(
  pssSlopeBytesPerMin: number,
  uss: Pick<MetricAnalysis, 'verdict' | 'slopeBytesPerMin'>,
  leaked: boolean
): string {
  const pss = rate(pssSlopeBytesPerMin)
  const own = rate(uss.slopeBytesPerMin)
  if (!leaked) {
    return `PSS moved ${pss}, but neither the process's own pages (USS, ${own}) nor RSS grew: what moved is its share of pages it maps with other processes — not memory of its own.`
  }
  return uss.verdict === 'stable'
    ? `PSS rose ${pss}, but the process's own pages (USS) held steady (${own}): the rise is its share of pages it maps with other processes, which grows when they stop mapping them — not a leak of its own.`
    : `PSS rose ${pss}, but the process's own pages (USS), read with it, moved ${own} and are not surely leaking themselves: PSS alone does not show a leak.`
}

/** An undecided PSS beside an RSS and a heap that both held steady (shared-pages.ts). */
export function pagesInSteadyRssReason(
  pss: TrendResult,
  rss: Pick<MetricAnalysis, 'slopeBytesPerMin'>,
  heap: Pick<MetricAnalysis, 'slopeBytesPerMin'>
): string {
  return `PSS moved ${slopeOver(pss)}: its own readings leave it undecided. But every page it counts is one of RSS's, and RSS (${rate(rss.slopeBytesPerMin)}) and its anonymous part, the heap (${rate(heap.slopeBytesPerMin)}), read at every sample, both held steady: only PSS's shares of pages that other processes map could have moved. No leak of the process's own.`
}

/** A leak-like climb while the server's memtables only grew: no flush showed what comes back. */
export function noFlushReason(
  field: string,
  slopeBytesPerMin: number,
  memtables: { fromBytes: number; toBytes: number }
): string {
  return `${metricName(field)} grew ${rate(slopeBytesPerMin)}, but the server flushed no rows meanwhile (its memtables only grew, ${formatBytes(memtables.fromBytes)} to ${formatBytes(memtables.toBytes)}): memory that rows hold until a flush cannot be told from a leak. Run until a flush happens (by default every 10,000 rows per table, or 5 minutes).`
}

/**
 * A leak on a line with no flush in it, then a flush after load and a quiet that gave back
 * less than half but kept what T224 allows (flushes.ts checkLeakAgainstFlushes).
 */
export function flushedAfterLoadReason(
  field: string,
  slopeBytesPerMin: number,
  memtables: { fromBytes: number; toBytes: number },
  r: ReleaseResult,
  rssLevelBytes?: number
): string {
  return `${metricName(field)} grew ${rate(slopeBytesPerMin)} under a load the server flushed no rows in (its memtables only grew, ${formatBytes(memtables.fromBytes)} to ${formatBytes(memtables.toBytes)}). After the flush that followed it gave ${pct(r.releasedPercent ?? 0, 0)} of it back${halfLife(r)}. ${keptWithinLimit(r, rssLevelBytes)}: rows held until a flush, caches and a leak that size look alike here. A longer load, with flushes in it, tells them apart.`
}

/** Appended to a leak's reason when a flush after the load wrote its rows out (T228). */
export function keptAfterFlushClause(r: ReleaseResult): string {
  return ` The flush after load wrote out the rows it held, and memory stayed ${abovePastLimit(r)}.`
}

/** A line's leak that the memtables' flush cycle explains (flushes.ts checkLeakAgainstFlushPhase). */
export function flushPhaseReason(
  field: string,
  t: TrendResult,
  late: {
    spanMs: number
    flushes: number
    slopeBytesPerMin: number
    /** Set when the slope cleared the leak margin but not this, which few flushes ask. */
    fewFlushesMarginBytesPerMin: number | null
  }
): string {
  const m = metricName(field)
  const span = formatDuration(t.window.to - t.window.from)
  const times = late.flushes === 1 ? 'once' : late.flushes === 2 ? 'twice' : `${late.flushes} times`
  return `${m} grew ${rate(t.slopeBytesPerMin)} over ${span}, but the server flushed its memtables ${times} in the last ${formatDuration(late.spanMs)} and memory rose and fell with them: read beside them, it grows ${rate(late.slopeBytesPerMin)} there, ${late.fewFlushesMarginBytesPerMin === null ? 'not surely a leak' : `under the ${rate(late.fewFlushesMarginBytesPerMin)} a leak must reach across so few flushes, as a flush can leave memory a little higher by itself`}. A window of few flush cycles that starts low in one and ends high in another reads as growth; a longer run sees more cycles.`
}

/** Appended to a trend's reason when the memtables' flush cycle was taken out first. */
export function flushCycleClause(field: string, c: FlushCycle): string {
  const weight = c.bytesPerMemtableByte.toFixed(c.bytesPerMemtableByte < 10 ? 1 : 0)
  const n = c.leftOut.length
  const left =
    n === 0
      ? ''
      : n === 1
        ? ' 1 sample taken across a flush from its memtable poll was left out.'
        : ` ${n} samples taken across a flush from their memtable poll were left out.`
  const judged = c.perCycle
    ? 'Judged one point per flush cycle, with the cycle taken out'
    : 'Judged with the flush cycle taken out, its cycles too few to judge by their troughs'
  return ` (${judged}: ${metricName(field)} rose and fell by ${weight} bytes per byte the server held in memtables, which explains ${pct(100 * c.partialR2, 0)} of its spread about the trend.${left})`
}

/**
 * The load growth came back after load stopped: not a leak. `rssLevelBytes`: the process's RSS
 * when what a part kept passed only held to it (metric.ts).
 */
export function releasedReason(field: string, r: ReleaseResult, rssLevelBytes?: number): string {
  const besideRss = rssLevelBytes === undefined ? '' : ` ${keptWithinLimit(r, rssLevelBytes)}.`
  return `${metricName(field)} grew ${formatBytes(r.grownBytes)} under load but ${gaveBack(r)}: not a leak.${besideRss}`
}

/**
 * The load growth came back in part, and what stayed is within T224's limit, but not so
 * little that no leak could hide in it (metric.ts). `rssLevelBytes` as for releasedReason.
 */
export function partlyReleasedReason(
  field: string,
  r: ReleaseResult,
  rssLevelBytes?: number
): string {
  return `${metricName(field)} grew ${formatBytes(r.grownBytes)} under load and ${gaveBack(r)}. ${keptWithinLimit(r, rssLevelBytes)}, but caches a server keeps after a load and a leak that size look alike here: not surely a leak, nor surely none. A longer load tells them apart: caches stop growing, a leak does not.`
}

function gaveBack(r: ReleaseResult): string {
  return `gave ${pct(r.releasedPercent ?? 0, 0)} of it back after load stopped${halfLife(r)}`
}

/** "+22.3% above the 78.1 MiB load started from (T224 allows 15%)": where a load's release ended. */
function abovePastLimit(r: ReleaseResult): string {
  const above = ((r.finalBytes - r.baselineBytes) / r.baselineBytes) * 100
  return `${signedPct(above)} above the ${formatBytes(r.baselineBytes)} load started from (T224 allows ${KEPT_MAX_FRACTION * 100}%)`
}

/** "What it kept, 8.7 MiB, is within T224's 15% of …": the process's RSS, or where load started. */
function keptWithinLimit(r: ReleaseResult, rssLevelBytes?: number): string {
  const of =
    rssLevelBytes === undefined
      ? `of the ${formatBytes(r.baselineBytes)} load started from`
      : `of the process's RSS (${formatBytes(rssLevelBytes)})`
  return `What it kept, ${formatBytes(Math.max(0, r.finalBytes - r.baselineBytes))}, is within T224's ${KEPT_MAX_FRACTION * 100}% ${of}`
}

/**
 * A load too unsteady to call that surely grew, or too short for a trend, and kept most of
 * what it gained after load (metric.ts).
 */
export function keptAfterLoadReason(field: string, t: TrendResult, r: ReleaseResult): string {
  const released = r.releasedPercent ?? 0
  const kept = released <= 0 ? 'all' : pct(100 - released, 0)
  const grew =
    t.code === 'too-short'
      ? `grew under a load too short to judge on its own (${formatDuration(t.window.to - t.window.from)} after warm-up)`
      : `grew ${slopeOver(t)} under load, too unsteady to call on its own`
  return `${metricName(field)} ${grew}, and kept ${kept} of the ${formatBytes(r.grownBytes)} it gained through ${formatDuration(r.quietMs)} after load stopped, ending ${abovePastLimit(r)}: not released.`
}

/** Appended to a leak's reason when there was a release phase. */
export function notReleasedClause(r: ReleaseResult): string {
  const p = r.releasedPercent ?? 0
  return p <= 0
    ? ' None of it came back after load stopped.'
    : ` Only ${pct(p, 0)} came back after load stopped.`
}

function halfLife(r: ReleaseResult): string {
  return r.halfLifeSec === null
    ? ''
    : ` (half of it within ${formatDuration(r.halfLifeSec * 1000)})`
}

// ---- findings ---------------------------------------------------------------------------

export function crashFinding(message: string | null): string {
  return `The target process exited during the run${message ? `: ${message}` : ''}.`
}

export function interruptedFinding(): string {
  return 'The run was interrupted before it ended; the analysis covers what was recorded.'
}

export interface LeakFindingInput {
  field: string
  slopeBytesPerMin: number
  growthPercent: number
  windowMs: number
  /** Share of RSS growth that is anonymous heap (only for RSS), 0..1. */
  heapShare: number | null
  attribution: Attribution | null
  release: ReleaseResult | null
  /** The load was too short for a rate: the leak is what its release kept (metric.ts). */
  tooShortForRate?: boolean
}

/** "RSS grows 38 MiB/min, all of it anonymous heap, about 1.9 KiB per insert; it is not released after load stops." */
export function leakFinding(i: LeakFindingInput): string {
  // A rate read over seconds of load and put per minute would promise growth nobody saw.
  const grew =
    i.tooShortForRate && i.release
      ? `it grew ${formatBytes(i.release.grownBytes)} under load`
      : `it grows ${rate(i.slopeBytesPerMin)}`
  const parts = [`${metricName(i.field)} leaks: ${grew}`]
  if (i.heapShare !== null) {
    if (i.heapShare >= 0.9) parts.push('all of it anonymous heap')
    else if (i.heapShare >= 0.5) parts.push(`${pct(i.heapShare * 100, 0)} of it anonymous heap`)
    else parts.push('mostly outside the anonymous heap (file-mapped or other)')
  }
  if (i.attribution) {
    parts.push(`about ${attributionPhrase(i.attribution)}${beforeFlushClause(i.attribution)}`)
  }
  let text = parts.join(', ')
  text += ` (${signedPct(i.growthPercent)} over the run)`
  if (i.release) {
    const p = i.release.releasedPercent ?? 0
    text +=
      p <= 0
        ? '; it is not released after load stops'
        : `; only ${pct(p, 0)} is released after load stops`
  }
  return `${text}.`
}

/** "1.9 KiB per insert (95% CI 1.8–2.0 KiB, R² 0.97)" */
export function attributionPhrase(a: Attribution): string {
  const on = a.troughs ? `, on ${a.troughs} troughs of its flush cycle` : ''
  return `${formatBytes(a.bytesPerUnit)} per ${ATTRIBUTION_UNIT[a.per]} (95% CI ${formatBytes(a.ci95[0])} to ${formatBytes(a.ci95[1])}, R² ${a.r2.toFixed(2)}${on})`
}

/** `releasedPercent`: how much of the load's growth came back, when the metric was released. */
export function attributionFinding(a: Attribution, releasedPercent: number | null = null): string {
  const grows =
    releasedPercent === null ? 'grows with the workload' : 'grew with the workload while it ran'
  const back =
    releasedPercent === null
      ? ''
      : `; ${pct(releasedPercent, 0)} of that growth came back after load stopped`
  return `${metricName(String(a.metric))} ${grows}: ≈ ${attributionPhrase(a)}${beforeFlushClause(a)}${back}.`
}

/** The server flushed nothing in the window: per insert counts rows awaiting their flush. */
function beforeFlushClause(a: Attribution): string {
  return a.beforeFlush ? `, ${BEFORE_FLUSH_NOTE}` : ''
}

export function staleConnectionsFinding(c: ConnectionReconciliation): string {
  const observed = c.serverReported ?? c.sockets ?? 0
  const what = c.serverReported !== null ? 'WebSocket sessions' : 'connections on its port'
  const grace = formatDuration(c.graceMs ?? 0)
  return `Stale connections: the server still holds ${observed} ${what} ${grace} after the profiler left ${c.expected ?? 0} open (${observed - (c.expected ?? 0)} too many).`
}

export function missingConnectionsFinding(c: ConnectionReconciliation): string {
  const observed = c.serverReported ?? c.sockets ?? 0
  return `The server holds only ${observed} connections while the profiler has ${c.expected ?? 0} open: ${(c.expected ?? 0) - observed} were dropped.`
}

export function criterionFinding(c: CriterionResult): string {
  if (c.pass === null) {
    return `Criterion "${c.name}" (${c.threshold}) could not be measured${c.reason ? `: ${stripDot(c.reason)}` : ''}.`
  }
  const verdict = c.pass ? 'passed' : 'failed'
  const value = c.measured === null ? '' : `, measured ${formatMeasured(c.measured, c.unit)}`
  return `Criterion "${c.name}" ${verdict} (${c.threshold}${value})${c.reason ? `: ${stripDot(c.reason)}` : ''}.`
}

export function snapshotFinding(row: SnapshotDiffRow, totalDelta: number): string {
  const share = row.deltaPercent === null ? 'new' : signedPct(row.deltaPercent)
  const what = row.key === row.kind ? `${row.key} memory` : `${row.key} (${row.kind})`
  return `Between the first and last memory map, ${what} grew the most: +${formatBytes(row.deltaRssBytes)} resident (${share}); all mappings together ${totalDelta >= 0 ? '+' : ''}${formatBytes(totalDelta)}.`
}

export function noSamplesFinding(): string {
  return 'The session holds no samples: nothing to judge.'
}

export function skippedLinesFinding(n: number): string {
  return `${n} unreadable line${n === 1 ? ' was' : 's were'} skipped (a torn last line after a crash is normal).`
}

export function unreadablePartsFinding(parts: readonly string[]): string {
  return `Left out, not in the session format: ${parts.join('; ')}.`
}

function stripDot(s: string): string {
  return s.replace(/\.\s*$/, '')
}
