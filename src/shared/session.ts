/**
 * What a recorded run looks like on disk (DESIGN.md "Session directory", a contract) and in
 * memory once read. Shared by the engine (writer, reader, analysis, reports) and the UI.
 *
 * Units: times are ms since the Unix epoch, durations ms, sizes bytes, latency histograms µs.
 */
import type { Sample } from './sample'

/** How a session ended. `running` on disk with no live writer means it was interrupted. */
export const SESSION_STATUSES = [
  'running',
  'passed',
  'failed',
  /** The target process exited during the run. */
  'target-crashed',
  /** The profiler was stopped (Ctrl-C, kill) before the run ended. */
  'interrupted',
  /** A recording without criteria (e.g. `sample --out`) that ended normally. */
  'completed',
  /** The run could not go on (server unreachable mid-run, a bug). */
  'error'
] as const
export type SessionStatus = (typeof SESSION_STATUSES)[number]

/** session.json. Readers accept a file with only the first six fields (plus unknown extras). */
export interface SessionMeta {
  schemaVersion: 1
  /** Scenario id (DESIGN.md "Scenarios") or 'sample' for a plain recording. */
  scenario: string
  target: {
    pid: number | null
    url?: string
    /** KalamDB version and build as the server reports them. */
    version?: string
    buildDate?: string
    gitCommit?: string
    [k: string]: unknown
  }
  startedAt: number
  endedAt: number | null
  status: SessionStatus | string
  /** Effective scenario parameters (after defaults, --quick and overrides). */
  parameters?: Record<string, unknown>
  /** The machine the profiler ran on. */
  machine?: MachineInfo
  profilerVersion?: string
  /** argv that reproduces the run, credentials removed. */
  command?: string[]
  /** Why the run ended as it did, in one sentence, when not plainly passed/failed. */
  endReason?: string
  [k: string]: unknown
}

export interface MachineInfo {
  os: string
  kernel?: string
  arch: string
  cpuModel?: string
  cpuCores: number
  totalMemoryBytes: number
  nodeVersion?: string
}

/**
 * Phases of a scenario, in the order they usually come. `warmup` is load that is not judged:
 * the first part of a sustained load, while caches and buffers fill (T220).
 */
export type PhaseName = 'setup' | 'baseline' | 'warmup' | 'load' | 'cooldown' | 'idle' | 'teardown'

/**
 * Cumulative counters of what the workload did, since the run started. Written as a
 * `counters` event about once a second: attribution regresses memory against them.
 */
export interface WorkloadCounters {
  /** Rows inserted and acknowledged by the server. */
  inserts: number
  /** SQL requests sent (any statement). */
  requests: number
  /** Requests answered 429 RATE_LIMIT_EXCEEDED. */
  rateLimited: number
  /** Requests answered 503. */
  unavailable: number
  /** Other failed requests. */
  errors: number
  /** Live subscriptions currently open (acknowledged and not yet closed). */
  subscriptionsOpen: number
  subscriptionsOpened: number
  subscriptionsClosed: number
  /** WebSocket connections the workload holds open now. */
  connectionsOpen: number
  connectionsOpened: number
  connectionsClosed: number
  /** Change notifications received (one per row per subscription). */
  notifications: number
  /** Rows expected by subscribers but never delivered (server-side drops). */
  droppedNotifications: number
  /** Unexpected WebSocket closes. */
  disconnects: number
  /** Rows written out by completed flushes. */
  flushedRows: number
  queries: number
  /**
   * Insert requests the writers never sent: they fell so far behind the schedule that older
   * intended starts were dropped, or the run stopped with a backlog. Optional: sessions
   * recorded before it was counted lack it.
   */
  unsent?: number
}

/** One line of events.ndjson. `t` is ms since the epoch. */
export type SessionEvent =
  | { t: number; type: 'phase'; phase: PhaseName | string; durationMs?: number }
  | ({ t: number; type: 'counters' } & WorkloadCounters)
  | {
      t: number
      type: 'error'
      source: string
      code: string
      message: string
      httpStatus?: number
      count?: number
    }
  | {
      t: number
      type: 'disconnect'
      connection: string
      code: number
      reason: string
      /** True when the profiler closed it (not counted as a failure). */
      expected: boolean
    }
  | {
      t: number
      type: 'flush'
      table: string
      jobId: string | null
      status: 'completed' | 'failed' | 'skipped' | 'timeout' | 'cancelled'
      durationMs: number
      rows: number | null
      message?: string
    }
  | { t: number; type: 'crash'; pid: number; exitedAt: number; message: string }
  | { t: number; type: 'marker'; label: string }
  | { t: number; type: 'snapshot'; file: string; label: string }
  | ({ t: number; type: 'verdict' } & CriterionResult)
  | { t: number; type: 'rate'; targetPerSec: number }
  | { t: number; type: 'warning'; message: string }

export type SessionEventType = SessionEvent['type']

/**
 * One pass criterion of a scenario, judged. `threshold` keeps the criterion's source text
 * (STYLE.md §14); `pass` is null when it could not be measured — no data never passes.
 */
export interface CriterionResult {
  name: string
  /** E.g. "< 10%", "== 25", "p95 < 500 ms". */
  threshold: string
  measured: number | null
  unit: 'percent' | 'bytes' | 'ms' | 'count' | 'per-sec' | 'ratio'
  pass: boolean | null
  /** One sentence: why it passed, failed, or could not be measured. */
  reason?: string
}

/** Summary of one HdrHistogram (values recorded in µs). */
export interface LatencySummary {
  count: number
  minUs: number
  maxUs: number
  meanUs: number
  p50Us: number
  p90Us: number
  p95Us: number
  p99Us: number
  p999Us: number
  /** hdr-histogram-js `encodeIntoCompressedBase64`, for exact re-analysis and merging. */
  histogram?: string
}

/** latency.json: one histogram per operation ('insert', 'query', 'notification', 'flush', …). */
export interface LatencyFile {
  schemaVersion: 1
  unit: 'us'
  operations: Record<string, LatencySummary>
}

/** A session read back from disk (src/main/session/reader.ts). */
export interface SessionData {
  dir: string
  meta: SessionMeta
  samples: Sample[]
  events: SessionEvent[]
  latency: LatencyFile | null
  verdicts: CriterionResult[] | null
  /** Snapshot files by name (without .json), parsed. */
  snapshots: { name: string; file: string; snapshot: unknown }[]
  /** Lines that could not be parsed (a torn last line after a crash is normal). */
  skippedLines: number
  /**
   * Parts left out because they lack the shape DESIGN.md gives them, each named for a person
   * ("latency.json", "session.json's target.url", "2 of the 5 criteria in verdicts.json").
   */
  unreadable?: string[]
}
