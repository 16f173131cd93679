/**
 * The answer the profiler gives about a session (DESIGN.md "`analyze --json`", a contract:
 * the fields below are its minimum plus our additions). Produced by src/main/analysis from
 * a SessionData with no I/O; printed by the CLI, rendered by reports and the UI.
 *
 * Units: bytes, bytes per minute, percent, milliseconds.
 */
import type { MemoryField } from './sample'
import type { CriterionResult } from './session'
import type { SnapshotDiff } from './snapshot'

/** Three-way verdict (STYLE.md §12): not enough data is its own answer, never a guess. */
export type MetricVerdict = 'leak' | 'stable' | 'inconclusive'

export type AnalysisStatus = 'passed' | 'failed' | 'target-crashed' | 'interrupted' | 'no-criteria'

export interface MetricAnalysis {
  verdict: MetricVerdict
  /** One sentence saying why (from the words module, so every front end agrees). */
  reason: string
  baselineBytes: number
  finalBytes: number
  growthPercent: number
  slopeBytesPerMin: number
  slopeCi95: [number, number]
  /** Share of the load-phase growth given back after load stopped; null when no release phase. */
  releasedPercent: number | null
  /** Seconds after load end until half the growth came back; null when it never did or n/a. */
  releaseHalfLifeSec?: number | null
  /** Samples used for the trend (after warm-up exclusion). */
  samplesUsed?: number
  /** The window judged, ms since the epoch. */
  window?: { from: number; to: number }
  /** Trend was judged on troughs of a sawtooth. */
  sawtooth?: boolean
  /**
   * Machine-readable cause of the verdict (the reason's key in the words module), e.g.
   * 'growing', 'levelled-off', 'fell-back', 'kept-after-fall', 'released', 'not-released',
   * 'too-short', 'noisy', 'shared-pages', 'own-pages-unclear', 'no-flush', 'flush-phase',
   * 'within-rss', 'with-rss', 'with-heap', 'small-beside-rss', 'sparse-beside-heap', 'in-steady-rss',
   * 'small-growth', 'partly-released'.
   */
  reasonCode?: string
  /** Slope of the late half of the judged window, bytes per minute, when fitted. */
  lateSlopeBytesPerMin?: number | null
  /** Growth at which this window's slope would count as a leak, bytes per minute. */
  leakMarginBytesPerMin?: number
  /**
   * Bytes of this metric per byte the server held in memtables, when that flush cycle was
   * taken out of the samples before the trend was judged (slope and interval are then of
   * what is left); null when it was not.
   */
  bytesPerMemtableByte?: number | null
}

/** What an attribution's bytes are per: the counters attribution.ts regresses memory on. */
export const ATTRIBUTION_PERS = [
  'insert',
  'subscription',
  'connection',
  'flushed-row',
  'connection-opened'
] as const
export type AttributionPer = (typeof ATTRIBUTION_PERS)[number]

/** How each attribution unit reads after "per" in every front end (CLI, reports, UI). */
export const ATTRIBUTION_UNIT: Record<AttributionPer, string> = {
  insert: 'insert',
  subscription: 'open subscription',
  connection: 'open connection',
  'flushed-row': 'flushed row',
  'connection-opened': 'connection opened'
}

/** What memory grows with: bytes per unit of workload, by robust regression. */
export interface Attribution {
  metric: MemoryField | string
  per: AttributionPer
  bytesPerUnit: number
  ci95: [number, number]
  r2: number
  /**
   * True when the server's memtables only grew through the window (no flush): the bytes per
   * insert include the rows still held until a flush, not only what a leak keeps.
   */
  beforeFlush?: boolean
  /**
   * Fitted on this many troughs of the metric's flush sawtooth, one point per cycle, rather
   * than on the samples (whose fit explained too little of a sawtooth to report).
   */
  troughs?: number
}

/**
 * What `beforeFlush` means, in the same words wherever the figure is shown: the tag in tables
 * (text, HTML), the note beside it elsewhere (findings, Markdown, the Investigation view).
 */
export const BEFORE_FLUSH_TAG = 'no flush in the window'
export const BEFORE_FLUSH_NOTE = `${BEFORE_FLUSH_TAG}: includes the rows the server holds until one`

/** An attribution's fit as every table shows it: "0.97", or "0.99 on 4 troughs". */
export function fitText(a: Pick<Attribution, 'r2' | 'troughs'>): string {
  return `${a.r2.toFixed(2)}${a.troughs ? ` on ${a.troughs} troughs` : ''}`
}

/** Expected vs observed connections (T223 and stale-connection findings). */
export interface ConnectionReconciliation {
  /** Opened minus closed by the profiler when judged (the end, or T223's wait before teardown). */
  expected: number | null
  /** ESTABLISHED sockets on the server's port when judged (else the last sample's). */
  sockets: number | null
  /** websocket_sessions the server reported last. */
  serverReported: number | null
  /** True when they disagree after the grace period. */
  stale: boolean
  /** The server holds fewer than the profiler has open (after the grace period). */
  missing?: boolean
  /** How long after the profiler's open or close the counts were compared (ms). */
  graceMs?: number
  /** From when they were compared (ms since epoch); null when the run ended within the grace. */
  judgedFrom?: number | null
}

export interface LatencyPercentiles {
  count: number
  p50Ms: number
  p95Ms: number
  p99Ms: number
  maxMs: number
}

/**
 * One bar of a latency histogram: operations whose latency fell in [fromMs, toMs).
 * Edges are log-spaced (1-2-5 per decade) so a few bars span µs stalls to second-long ones.
 */
export interface LatencyBucket {
  fromMs: number
  toMs: number
  count: number
}

export interface Finding {
  severity: 'problem' | 'warning' | 'info'
  /** A sentence in plain words, units included. */
  text: string
  metric?: string
}

export interface AnalysisResult {
  schemaVersion: 1
  status: AnalysisStatus
  metrics: Partial<Record<MemoryField, MetricAnalysis>>
  attribution: Attribution[]
  criteria: CriterionResult[]
  /** The answer in words, most important first. */
  findings: Finding[]
  connections?: ConnectionReconciliation
  latency?: Record<string, LatencyPercentiles>
  cpu?: { averagePercent: number; peakPercent: number } | null
  /** Diff of the first and last snapshot of the session, when it holds two. */
  snapshotDiff?: SnapshotDiff | null
  /** Duration analysed and sample count, for the reader's confidence. */
  durationMs?: number
  sampleCount?: number
}
