/**
 * What every human-readable report says, computed once from a (redacted) session and its
 * analysis: Markdown and HTML only lay this out, so they cannot disagree. Pure: no I/O.
 */
import type {
  AnalysisResult,
  Attribution,
  ConnectionReconciliation,
  Finding,
  MetricAnalysis
} from '../../shared/analysis'
import { MEMORY_FIELDS, type MemoryField, type Sample } from '../../shared/sample'
import type {
  CriterionResult,
  SessionData,
  SessionEvent,
  WorkloadCounters
} from '../../shared/session'
import type { SnapshotDiff, SnapshotDiffRow } from '../../shared/snapshot'
import { formatBytes, formatCount, formatDuration, formatMeasured } from '../../shared/units'
import { formatTime, formatValue, shellQuote, truncate } from './format'
import { stripSecretArgs } from './redact'
import { pointsOf, type Point } from './series'
import {
  NOT_MEASURABLE_REASON,
  STATUS_LABEL,
  summarySentence,
  type CriterionOutcome,
  type ReportStatus
} from './words'

export interface CriterionRow {
  name: string
  threshold: string
  measured: string
  measuredValue: number | null
  unit: CriterionResult['unit']
  outcome: CriterionOutcome
  reason: string
}

export interface MetricRow extends MetricAnalysis {
  field: MemoryField
}

/** A phase of the run, absolute times (ms since the epoch). */
export interface PhaseSpan {
  name: string
  from: number
  to: number
}

export interface ChartSeries {
  key: string
  label: string
  points: Point[]
}

export interface ChartDef {
  id: string
  title: string
  unit: 'bytes' | 'percent' | 'count'
  series: ChartSeries[]
}

export interface TimeMarker {
  t: number
  kind: 'flush' | 'failed-flush' | 'crash' | 'marker' | 'snapshot'
  label: string
}

export interface LatencyRow {
  operation: string
  count: number
  p50Ms: number
  p90Ms: number | null
  p95Ms: number
  p99Ms: number
  p999Ms: number | null
  maxMs: number
}

export interface ErrorGroup {
  source: string
  code: string
  httpStatus: number | null
  count: number
  message: string
}

export interface EventSummary {
  flushes: {
    total: number
    byStatus: [string, number][]
    meanMs: number | null
    maxMs: number | null
    notCompleted: { t: number; table: string; status: string; message: string }[]
  }
  errors: ErrorGroup[]
  disconnects: {
    expected: number
    unexpected: number
    groups: { code: number; reason: string; count: number }[]
  }
  warnings: { t: number; message: string }[]
  markers: { t: number; label: string }[]
  crash: { t: number; pid: number; message: string } | null
}

export interface ReportModel {
  status: ReportStatus
  statusLabel: string
  title: string
  summary: string
  scenario: string
  parameters: [string, string][]
  environment: [string, string][]
  criteria: CriterionRow[]
  findings: Finding[]
  metrics: MetricRow[]
  attribution: Attribution[]
  connections: ConnectionReconciliation | null
  cpu: { averagePercent: number; peakPercent: number } | null
  snapshotDiff: SnapshotDiff | null
  /** Mappings that grew or appeared, largest growth first. */
  topMappings: SnapshotDiffRow[]
  snapshotLabels: string[]
  latency: LatencyRow[]
  counters: [string, string][]
  phases: PhaseSpan[]
  events: EventSummary
  markers: TimeMarker[]
  reproduce: { command: string; recorded: boolean; note: string }
  startT: number
  endT: number
  durationMs: number
  sampleCount: number
  /** Median time between samples (ms); null with fewer than two samples. */
  intervalMs: number | null
  charts: ChartDef[]
  profilerVersion: string
  generatedAt: number
}

/** How many mappings the "top growing" tables show. */
export const TOP_MAPPINGS = 10

export function buildModel(
  session: SessionData,
  analysis: AnalysisResult,
  profilerVersion: string,
  generatedAt: number
): ReportModel {
  const { meta, samples, events } = session
  const startT = meta.startedAt
  const endT = Math.max(
    startT,
    meta.endedAt ?? Math.max(samples.at(-1)?.t ?? startT, events.at(-1)?.t ?? startT)
  )
  const durationMs = endT - startT
  const status = reportStatus(session, analysis)
  const crashEvent = events.find(
    (e): e is Extract<SessionEvent, { type: 'crash' }> => e.type === 'crash'
  )
  const criteria = criterionRows(
    analysis.criteria.length > 0 ? analysis.criteria : (session.verdicts ?? []),
    status
  )
  const failed = criteria.filter((c) => c.outcome === 'fail')
  const version = typeof meta.target.version === 'string' ? meta.target.version : null
  return {
    status,
    statusLabel: STATUS_LABEL[status],
    title: `${meta.scenario}: ${STATUS_LABEL[status]}${version ? ` on KalamDB ${version}` : ''}`,
    summary: summarySentence({
      status,
      passed: criteria.filter((c) => c.outcome === 'pass').length,
      failed: failed.length,
      notMeasurable: criteria.filter((c) => c.outcome === 'not measurable').length,
      failedNames: failed.map((c) => c.name),
      crashMessage: crashEvent?.message ?? null,
      endReason: typeof meta.endReason === 'string' ? meta.endReason : null,
      durationText: formatDuration(durationMs)
    }),
    scenario: meta.scenario,
    parameters: parameterRows(meta.parameters),
    environment: environmentRows(session, profilerVersion, startT, endT),
    criteria,
    findings: analysis.findings,
    metrics: MEMORY_FIELDS.flatMap((field) => {
      const m = analysis.metrics[field]
      return m ? [{ ...m, field }] : []
    }),
    attribution: analysis.attribution,
    connections: analysis.connections ?? null,
    cpu: analysis.cpu ?? null,
    snapshotDiff: analysis.snapshotDiff ?? null,
    topMappings: (analysis.snapshotDiff?.rows ?? [])
      .filter((r) => r.deltaRssBytes > 0 && (r.status === 'grew' || r.status === 'new'))
      .sort((a, b) => b.deltaRssBytes - a.deltaRssBytes)
      .slice(0, TOP_MAPPINGS),
    snapshotLabels: session.snapshots.map((s) => snapshotLabel(s.name, s.snapshot)),
    latency: latencyRows(session, analysis),
    counters: counterRows(events),
    phases: phaseSpans(events, endT),
    events: summarizeEvents(events),
    markers: timeMarkers(events),
    reproduce: reproduceCommand(meta.command, meta.scenario, meta.target, meta.parameters),
    startT,
    endT,
    durationMs,
    sampleCount: samples.length,
    intervalMs: medianInterval(samples),
    charts: chartDefs(samples),
    profilerVersion,
    generatedAt
  }
}

export function reportStatus(session: SessionData, analysis: AnalysisResult): ReportStatus {
  if (session.meta.status === 'error') return 'error'
  return analysis.status
}

function criterionRows(results: CriterionResult[], status: ReportStatus): CriterionRow[] {
  return results.map((c) => {
    const outcome: CriterionOutcome =
      c.pass === true ? 'pass' : c.pass === false ? 'fail' : 'not measurable'
    const fallback =
      outcome !== 'not measurable'
        ? ''
        : status === 'interrupted'
          ? NOT_MEASURABLE_REASON.interrupted
          : status === 'target-crashed'
            ? NOT_MEASURABLE_REASON.crashed
            : NOT_MEASURABLE_REASON.default
    return {
      name: String(c.name),
      threshold: String(c.threshold),
      measured: formatMeasured(typeof c.measured === 'number' ? c.measured : null, c.unit),
      measuredValue: typeof c.measured === 'number' ? c.measured : null,
      unit: c.unit,
      outcome,
      reason: c.reason ?? fallback
    }
  })
}

function parameterRows(parameters: Record<string, unknown> | undefined): [string, string][] {
  if (!parameters || typeof parameters !== 'object') return []
  return Object.entries(parameters).map(([k, v]) => {
    // Durations are stored in ms (DESIGN.md units); say them the way the flags take them.
    const text =
      typeof v === 'number' && /Ms$/.test(k)
        ? `${formatCount(v)} ms (${formatDuration(v)})`
        : formatValue(v)
    return [k, text]
  })
}

function environmentRows(
  session: SessionData,
  profilerVersion: string,
  startT: number,
  endT: number
): [string, string][] {
  const { meta, samples } = session
  const t = meta.target
  const rows: [string, string][] = []
  const build = [
    typeof t.buildDate === 'string' ? `built ${t.buildDate}` : null,
    typeof t.gitCommit === 'string' ? `commit ${t.gitCommit}` : null
  ].filter(Boolean)
  rows.push([
    'KalamDB',
    typeof t.version === 'string'
      ? `${t.version}${build.length > 0 ? ` (${build.join(', ')})` : ''}`
      : 'version not reported'
  ])
  rows.push([
    'Target',
    `pid ${t.pid ?? 'unknown'}${typeof t.url === 'string' ? ` at ${t.url}` : ''}`
  ])
  const m = meta.machine
  if (m) {
    rows.push(['OS', `${m.os}${m.kernel ? ` ${m.kernel}` : ''} (${m.arch})`])
    rows.push(['CPU', `${m.cpuModel ?? 'unknown model'}, ${m.cpuCores} cores`])
    rows.push(['Memory', formatBytes(m.totalMemoryBytes)])
    if (m.nodeVersion) rows.push(['Node.js', m.nodeVersion])
  } else {
    rows.push(['Machine', 'not recorded'])
  }
  rows.push([
    'Profiler',
    `kalamdb-profiler ${typeof meta.profilerVersion === 'string' ? meta.profilerVersion : 'unknown'}` +
      (meta.profilerVersion !== profilerVersion ? ` (report made by ${profilerVersion})` : '')
  ])
  rows.push(['Started', formatTime(startT)])
  rows.push([
    'Ended',
    meta.endedAt === null ? `not recorded (last data ${formatTime(endT)})` : formatTime(endT)
  ])
  const interval = medianInterval(samples)
  rows.push([
    'Samples',
    `${formatCount(samples.length)}${interval ? `, every ${formatDuration(interval)}` : ''}` +
      (session.skippedLines > 0 ? ` (${session.skippedLines} unreadable lines skipped)` : '')
  ])
  rows.push(['Session status', String(meta.status)])
  return rows
}

function medianInterval(samples: readonly Sample[]): number | null {
  if (samples.length < 2) return null
  const dts: number[] = []
  // A stride keeps this cheap on long sessions; the median needs no more.
  const stride = Math.max(1, Math.floor(samples.length / 2000))
  for (let i = stride; i < samples.length; i += stride)
    dts.push((samples[i]!.t - samples[i - stride]!.t) / stride)
  dts.sort((a, b) => a - b)
  return dts[Math.floor(dts.length / 2)] ?? null
}

function snapshotLabel(name: string, snapshot: unknown): string {
  const s = snapshot as { label?: unknown; t?: unknown } | null
  const label = typeof s?.label === 'string' ? s.label : name
  return typeof s?.t === 'number' ? `${label} (${formatTime(s.t)})` : label
}

function latencyRows(session: SessionData, analysis: AnalysisResult): LatencyRow[] {
  const ops = session.latency?.operations
  if (ops && typeof ops === 'object' && Object.keys(ops).length > 0) {
    return Object.entries(ops).map(([operation, l]) => ({
      operation,
      count: l.count,
      p50Ms: l.p50Us / 1000,
      p90Ms: typeof l.p90Us === 'number' ? l.p90Us / 1000 : null,
      p95Ms: l.p95Us / 1000,
      p99Ms: l.p99Us / 1000,
      p999Ms: typeof l.p999Us === 'number' ? l.p999Us / 1000 : null,
      maxMs: l.maxUs / 1000
    }))
  }
  return Object.entries(analysis.latency ?? {}).map(([operation, l]) => ({
    operation,
    count: l.count,
    p50Ms: l.p50Ms,
    p90Ms: null,
    p95Ms: l.p95Ms,
    p99Ms: l.p99Ms,
    p999Ms: null,
    maxMs: l.maxMs
  }))
}

const COUNTER_LABELS: [keyof WorkloadCounters, string][] = [
  ['inserts', 'Rows inserted'],
  ['requests', 'SQL requests'],
  ['queries', 'Queries'],
  ['rateLimited', 'Answered 429 (rate limited)'],
  ['unavailable', 'Answered 503'],
  ['errors', 'Other failed requests'],
  ['subscriptionsOpened', 'Subscriptions opened'],
  ['subscriptionsClosed', 'Subscriptions closed'],
  ['connectionsOpened', 'WebSocket connections opened'],
  ['connectionsClosed', 'WebSocket connections closed'],
  ['notifications', 'Notifications received'],
  ['droppedNotifications', 'Notifications dropped by the server'],
  ['disconnects', 'Unexpected disconnects'],
  ['flushedRows', 'Rows flushed']
]

function counterRows(events: readonly SessionEvent[]): [string, string][] {
  let last: (SessionEvent & { type: 'counters' }) | null = null
  for (const e of events) if (e.type === 'counters') last = e
  if (!last) return []
  return COUNTER_LABELS.flatMap(([k, label]) =>
    typeof last[k] === 'number' ? [[label, formatCount(last[k])] as [string, string]] : []
  )
}

function phaseSpans(events: readonly SessionEvent[], endT: number): PhaseSpan[] {
  const phases = events
    .filter((e): e is Extract<SessionEvent, { type: 'phase' }> => e.type === 'phase')
    .sort((a, b) => a.t - b.t)
  return phases.map((p, i) => {
    const next = phases[i + 1]?.t ?? endT
    const to = typeof p.durationMs === 'number' ? Math.min(next, p.t + p.durationMs) : next
    return { name: String(p.phase), from: p.t, to: Math.max(p.t, to) }
  })
}

function summarizeEvents(events: readonly SessionEvent[]): EventSummary {
  const flushStatus = new Map<string, number>()
  const flushDurations: number[] = []
  const notCompleted: EventSummary['flushes']['notCompleted'] = []
  const errors = new Map<string, ErrorGroup>()
  const discGroups = new Map<string, { code: number; reason: string; count: number }>()
  let expected = 0
  let unexpected = 0
  const warnings: EventSummary['warnings'] = []
  const markers: EventSummary['markers'] = []
  let crash: EventSummary['crash'] = null
  for (const e of events) {
    switch (e.type) {
      case 'flush':
        flushStatus.set(e.status, (flushStatus.get(e.status) ?? 0) + 1)
        if (typeof e.durationMs === 'number') flushDurations.push(e.durationMs)
        if (e.status !== 'completed')
          notCompleted.push({ t: e.t, table: e.table, status: e.status, message: e.message ?? '' })
        break
      case 'error': {
        const key = `${e.source}\u0000${e.code}\u0000${e.httpStatus ?? ''}`
        const g = errors.get(key)
        const n = typeof e.count === 'number' ? e.count : 1
        if (g) g.count += n
        else
          errors.set(key, {
            source: e.source,
            code: e.code,
            httpStatus: e.httpStatus ?? null,
            count: n,
            message: e.message
          })
        break
      }
      case 'disconnect':
        if (e.expected) expected++
        else {
          unexpected++
          const key = `${e.code}\u0000${e.reason}`
          const g = discGroups.get(key)
          if (g) g.count++
          else discGroups.set(key, { code: e.code, reason: e.reason, count: 1 })
        }
        break
      case 'warning':
        warnings.push({ t: e.t, message: e.message })
        break
      case 'marker':
        markers.push({ t: e.t, label: e.label })
        break
      case 'crash':
        crash ??= { t: e.t, pid: e.pid, message: e.message }
        break
      default:
        break
    }
  }
  return {
    flushes: {
      total: [...flushStatus.values()].reduce((a, b) => a + b, 0),
      byStatus: [...flushStatus.entries()],
      meanMs:
        flushDurations.length > 0
          ? flushDurations.reduce((a, b) => a + b, 0) / flushDurations.length
          : null,
      maxMs: flushDurations.length > 0 ? Math.max(...flushDurations) : null,
      notCompleted
    },
    errors: [...errors.values()].sort((a, b) => b.count - a.count),
    disconnects: {
      expected,
      unexpected,
      groups: [...discGroups.values()].sort((a, b) => b.count - a.count)
    },
    warnings,
    markers,
    crash
  }
}

function timeMarkers(events: readonly SessionEvent[]): TimeMarker[] {
  const out: TimeMarker[] = []
  for (const e of events) {
    if (e.type === 'flush')
      out.push({
        t: e.t,
        kind: e.status === 'completed' ? 'flush' : 'failed-flush',
        label: `flush ${e.table} ${e.status}`
      })
    else if (e.type === 'crash') out.push({ t: e.t, kind: 'crash', label: 'target exited' })
    else if (e.type === 'marker') out.push({ t: e.t, kind: 'marker', label: e.label })
    else if (e.type === 'snapshot')
      out.push({ t: e.t, kind: 'snapshot', label: `snapshot ${e.label}` })
  }
  return out
}

/** The argv recorded with the run, cleaned up to paste into a shell. */
export function reproduceCommand(
  command: unknown,
  scenario: string,
  target: { pid: number | null; url?: string },
  parameters: Record<string, unknown> | undefined
): ReportModel['reproduce'] {
  const note =
    'Credentials are left out: give them with --user/--password or --token, or KALAMDB_USER / KALAMDB_PASSWORD / KALAMDB_TOKEN.'
  if (Array.isArray(command) && command.length > 0 && command.every((a) => typeof a === 'string')) {
    let argv = stripSecretArgs(command)
    // node /path/bin/kalam-profiler.js run … → npx kalam-profiler run …
    if (/(^|\/)node(\.exe)?$/.test(argv[0] ?? '')) argv = argv.slice(1)
    if (/kalam-profiler(\.js)?$|cli\/index\.js$/.test(argv[0] ?? '')) argv = argv.slice(1)
    return {
      command: truncate(['npx', 'kalam-profiler', ...argv.map(shellQuote)].join(' '), 4000),
      recorded: true,
      note
    }
  }
  const argv: string[] = []
  if (scenario === 'sample') {
    argv.push('sample', '--pid', String(target.pid ?? 'PID'))
  } else {
    argv.push(
      'run',
      scenario,
      '--url',
      typeof target.url === 'string' ? target.url : 'URL',
      '--pid',
      'auto'
    )
    for (const [k, v] of Object.entries(parameters ?? {})) {
      if (typeof v !== 'number' && typeof v !== 'boolean' && typeof v !== 'string') continue
      const isMs = /Ms$/.test(k)
      const flag = `--${k.replace(/Ms$/, '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`
      if (v === true) argv.push(flag)
      else if (v !== false) argv.push(flag, isMs && typeof v === 'number' ? `${v}ms` : String(v))
    }
  }
  return {
    command: truncate(['npx', 'kalam-profiler', ...argv.map(shellQuote)].join(' '), 4000),
    recorded: false,
    note: `No command line was recorded with this session; this one is rebuilt from its scenario and parameters. ${note}`
  }
}

function chartDefs(samples: readonly Sample[]): ChartDef[] {
  const defs: ChartDef[] = [
    {
      id: 'memory',
      title: 'Memory of the target process',
      unit: 'bytes',
      series: [
        { key: 'rssBytes', label: 'RSS', points: pointsOf(samples, (s) => s.rssBytes) },
        {
          key: 'heapBytes',
          label: 'Heap (RssAnon)',
          points: pointsOf(samples, (s) => s.heapBytes)
        },
        {
          key: 'fileMappedBytes',
          label: 'File-mapped (RssFile)',
          points: pointsOf(samples, (s) => s.fileMappedBytes)
        },
        { key: 'pssBytes', label: 'PSS', points: pointsOf(samples, (s) => s.pssBytes) },
        { key: 'swapBytes', label: 'Swap', points: pointsOf(samples, (s) => s.swapBytes) }
      ]
    },
    {
      id: 'cpu',
      title: 'CPU of the target process (100% = one core)',
      unit: 'percent',
      series: [
        { key: 'cpuPercent', label: 'CPU total', points: pointsOf(samples, (s) => s.cpuPercent) },
        {
          key: 'cpuUserPercent',
          label: 'user',
          points: pointsOf(samples, (s) => s.cpuUserPercent)
        },
        {
          key: 'cpuSystemPercent',
          label: 'system',
          points: pointsOf(samples, (s) => s.cpuSystemPercent)
        }
      ]
    },
    {
      id: 'resources',
      title: 'Threads, file descriptors and connections',
      unit: 'count',
      series: [
        { key: 'threads', label: 'threads', points: pointsOf(samples, (s) => s.threads) },
        { key: 'fds', label: 'open fds', points: pointsOf(samples, (s) => s.fds) },
        {
          key: 'tcpConnections',
          label: 'TCP established',
          points: pointsOf(samples, (s) => s.tcpConnections)
        },
        {
          key: 'portConnections',
          label: 'on HTTP port',
          points: pointsOf(samples, (s) => s.portConnections)
        },
        {
          key: 'wsConnections',
          label: 'WebSocket sessions (server)',
          points: pointsOf(samples, (s) => s.wsConnections)
        }
      ]
    },
    {
      id: 'server',
      title: 'Memory as the server reports it (system.stats)',
      unit: 'bytes',
      series: [
        {
          key: 'server.memoryBytes',
          label: 'server memory',
          points: pointsOf(samples, (s) => s.server?.memoryBytes)
        },
        {
          key: 'server.memtableBytes',
          label: 'memtables',
          points: pointsOf(samples, (s) => s.server?.memtableBytes)
        },
        {
          key: 'server.sstBytes',
          label: 'SST files',
          points: pointsOf(samples, (s) => s.server?.sstBytes)
        }
      ]
    }
  ]
  return defs
    .map((d) => ({
      ...d,
      // Swap that never moved from zero is noise on the chart, not information.
      series: d.series.filter(
        (s) => s.points.length > 0 && (s.key !== 'swapBytes' || s.points.some((p) => p[1] > 0))
      )
    }))
    .filter((d) => d.series.length > 0)
}

/** The chart series by key, for renderers that draw a single metric. */
export function seriesByKey(model: ReportModel, key: string): ChartSeries | null {
  for (const c of model.charts) for (const s of c.series) if (s.key === key) return s
  return null
}
