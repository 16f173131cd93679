/**
 * What a readable piece of a session looks like. A session is often written by hand or by
 * another tool around samples from elsewhere, and attached to bug reports: each piece is taken
 * when it has the shape DESIGN.md gives it and left out, named, when it does not, so one odd
 * field never stops `analyze`, a report or the app from reading the rest (a verdicts.json
 * holding `[null]` made `analyze` fail with "Cannot read properties of null").
 */
import {
  CriterionResultSchema,
  LatencyFileSchema,
  SESSION_EVENT_TYPES,
  SessionEventSchema
} from '../../shared/api-schemas'
import type { Sample } from '../../shared/sample'
import type { CriterionResult, LatencyFile } from '../../shared/session'

/** The largest time a Date holds (ms either side of the epoch): beyond it a time prints as "Invalid Date". */
export const MAX_TIME_MS = 8.64e15

/** A time in ms since the epoch that a Date can hold. */
export function isTime(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= MAX_TIME_MS
}

/** A Sample's figures other than its time and RSS: numbers, or null where not measured. */
const SAMPLE_FIGURES = [
  'pid',
  'pssBytes',
  'ussBytes',
  'heapBytes',
  'fileMappedBytes',
  'stackBytes',
  'swapBytes',
  'cpuPercent',
  'cpuUserPercent',
  'cpuSystemPercent',
  'threads',
  'fds',
  'tcpConnections',
  'portConnections',
  'socketsAt',
  'wsConnections'
] as const satisfies readonly (keyof Sample)[]

/**
 * A sample needs its time and RSS: samples from another tool may carry no more. A figure that is not a number or null is removed, in place, as not measured: the
 * analysis skips what a sample lacks, and the app draws what it has (RecordedSampleSchema).
 */
export function isSample(v: unknown): boolean {
  const s = v as Record<string, unknown> | null
  if (!s || typeof s !== 'object' || !isTime(s.t) || !isFigure(s.rssBytes)) return false
  // Named reads first, the loop only for a sample that fails them: the loop's keyed reads on
  // every sample made the analysis after it slower though they changed nothing (bench
  // analysis, 8 hours at 10 Hz: 4.2-6.3 s against 3.5-4.4 s without).
  const ok =
    isFigureOrNone(s.pid) &&
    isFigureOrNone(s.pssBytes) &&
    isFigureOrNone(s.ussBytes) &&
    isFigureOrNone(s.heapBytes) &&
    isFigureOrNone(s.fileMappedBytes) &&
    isFigureOrNone(s.stackBytes) &&
    isFigureOrNone(s.swapBytes) &&
    isFigureOrNone(s.cpuPercent) &&
    isFigureOrNone(s.cpuUserPercent) &&
    isFigureOrNone(s.cpuSystemPercent) &&
    isFigureOrNone(s.threads) &&
    isFigureOrNone(s.fds) &&
    isFigureOrNone(s.tcpConnections) &&
    isFigureOrNone(s.portConnections) &&
    isFigureOrNone(s.socketsAt) &&
    isFigureOrNone(s.wsConnections)
  if (!ok) {
    for (const key of SAMPLE_FIGURES) if (!isFigureOrNone(s[key])) delete s[key]
  }
  const server = s.server as Record<string, unknown> | null | undefined
  if (server !== undefined && (!server || typeof server !== 'object' || !isTime(server.polledAt))) {
    delete s.server
  }
  return true
}

/**
 * A number a sampler could have read: bytes, counts and percentages are far below 2^53 (8 PiB),
 * and a figure beyond it (1e300 in a hand-edited file) would overflow every sum of squares the
 * analysis takes into Infinity.
 */
function isFigure(v: unknown): v is number {
  return typeof v === 'number' && Math.abs(v) <= Number.MAX_SAFE_INTEGER
}

function isFigureOrNone(v: unknown): boolean {
  return v === undefined || v === null || isFigure(v)
}

const KNOWN_EVENT_TYPES: ReadonlySet<string> = new Set(SESSION_EVENT_TYPES)

/** A type SessionEventSchema knows: an event the reader kept of such a type has its shape. */
export function isKnownEventType(e: { type: string }): boolean {
  return KNOWN_EVENT_TYPES.has(e.type)
}

/**
 * An event of a known type must have that type's shape (a `counters` event whose counts are
 * not numbers put `true` where the analysis promises a count); one of a type this version
 * does not know is kept for whoever knows it, and ignored by the analysis.
 */
export function isEvent(v: unknown): boolean {
  const e = v as { t?: unknown; type?: unknown } | null
  if (!e || !isTime(e.t) || typeof e.type !== 'string') return false
  return !isKnownEventType(e as { type: string }) || SessionEventSchema.safeParse(e).success
}

/** The criteria of verdicts.json that are criteria, and how many entries were not. */
export function readableCriteria(raw: unknown): { items: CriterionResult[]; dropped: number } {
  if (!Array.isArray(raw)) return { items: [], dropped: 0 }
  const items = raw.filter((c) => CriterionResultSchema.safeParse(c).success) as CriterionResult[]
  return { items, dropped: raw.length - items.length }
}

export function isLatencyFile(raw: unknown): raw is LatencyFile {
  return LatencyFileSchema.safeParse(raw).success
}

/**
 * session.json's optional fields whose value is not of their type: removed from `meta` (in
 * place) and named, `target.url` style. The fields every reader relies on (scenario, pid,
 * start) are checked where they are read, with an error that names them.
 */
export function dropMistypedMetaFields(meta: Record<string, unknown>): string[] {
  const dropped: string[] = []
  const check = (
    obj: Record<string, unknown>,
    key: string,
    ok: (v: unknown) => boolean,
    path: string
  ): void => {
    if (obj[key] !== undefined && !ok(obj[key])) {
      delete obj[key]
      dropped.push(path)
    }
  }
  const isString = (v: unknown): boolean => typeof v === 'string'
  const isObject = (v: unknown): boolean => !!v && typeof v === 'object' && !Array.isArray(v)
  const target = meta.target as Record<string, unknown>
  for (const key of ['url', 'version', 'buildDate', 'gitCommit']) {
    check(target, key, isString, `target.${key}`)
  }
  check(meta, 'parameters', isObject, 'parameters')
  check(meta, 'machine', isMachine, 'machine')
  check(meta, 'profilerVersion', isString, 'profilerVersion')
  check(meta, 'endReason', isString, 'endReason')
  check(meta, 'command', (v) => Array.isArray(v) && v.every(isString), 'command')
  return dropped
}

function isMachine(v: unknown): boolean {
  const m = v as Record<string, unknown> | null
  const optionalString = (x: unknown): boolean => x === undefined || typeof x === 'string'
  return (
    !!m &&
    typeof m === 'object' &&
    typeof m.os === 'string' &&
    typeof m.arch === 'string' &&
    typeof m.cpuCores === 'number' &&
    typeof m.totalMemoryBytes === 'number' &&
    optionalString(m.kernel) &&
    optionalString(m.cpuModel) &&
    optionalString(m.nodeVersion)
  )
}
