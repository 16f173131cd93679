/**
 * Shapes samples, session events and run progress into chart series (pure: no React, no
 * Chart.js). Points are appended in place to preallocated-by-growth arrays the charts
 * share, so an update costs the new points, not a copy of the hour before.
 */
import type { RunProgress } from '../../../../shared/run'
import type { RecordedSample } from '../../../../shared/sample'
import type { SessionEvent, WorkloadCounters } from '../../../../shared/session'
import type { Marker } from '../../charts/markers'
import type { ChartSpec, Point } from '../../charts/spec'
import { formatBytes, formatMs, formatPercent, formatRate } from '../../format'

export const SERIES_IDS = [
  'heap',
  'file',
  'stack',
  'rss',
  'cpuUser',
  'cpuSystem',
  'wsWorkload',
  'wsPort',
  'wsServer',
  'notifPerSec',
  'dropped',
  'disconnects',
  'p50',
  'p95',
  'p99',
  'rateLimitedPerSec',
  'unavailablePerSec'
] as const
export type SeriesId = (typeof SERIES_IDS)[number]

/**
 * Points kept per series: two hours at 10 Hz. Past that the oldest go (in chunks of a
 * tenth, so a long session does not shift arrays on every batch); the session on disk
 * keeps everything.
 */
export const MAX_POINTS = 72_000

/** Errors closer than this merge into one marker (a 429 storm is one line, not thousands). */
export const ERROR_MERGE_S = 1

export class SeriesSet {
  t0: number | null = null
  lastSampleT = -Infinity
  lastEventT = -Infinity
  series: Record<SeriesId, Point[]> = emptySeries()
  markers: Marker[] = []
  /** The newest sample: live ones carry every figure, a recorded one may lack some. */
  latest: RecordedSample | null = null
  counters: (WorkloadCounters & { t: number }) | null = null
  latencyOp: string | null = null
  /** Bumped on every change: charts redraw when it moves. */
  version = 0

  reset(): void {
    this.t0 = null
    this.lastSampleT = -Infinity
    this.lastEventT = -Infinity
    this.series = emptySeries()
    this.markers = []
    this.latest = null
    this.counters = null
    this.latencyOp = null
    this.version++
  }

  /** Seconds since the first thing seen. */
  x(t: number): number {
    this.t0 ??= t
    return (t - this.t0) / 1000
  }

  /** Appends samples newer than the last one (a history reload and the stream may overlap). */
  addSamples(samples: readonly RecordedSample[]): number {
    const s = this.series
    let added = 0
    const push = (id: SeriesId, x: number, y: number | null | undefined): void => {
      if (typeof y === 'number') s[id].push({ x, y })
    }
    for (const sample of samples) {
      if (sample.t <= this.lastSampleT) continue
      this.lastSampleT = sample.t
      const x = this.x(sample.t)
      // Stacked: drawn only where the sample has all three parts (a recorded one may not).
      const { heapBytes: heap, fileMappedBytes: fileMapped, stackBytes: stack } = sample
      if (typeof heap === 'number' && typeof fileMapped === 'number' && typeof stack === 'number') {
        const file = heap + fileMapped
        s.heap.push({ x, y: heap, v: heap })
        s.file.push({ x, y: file, v: fileMapped })
        s.stack.push({ x, y: file + stack, v: stack })
      }
      s.rss.push({ x, y: sample.rssBytes })
      push('cpuUser', x, sample.cpuUserPercent)
      push('cpuSystem', x, sample.cpuSystemPercent)
      push('wsPort', x, sample.portConnections)
      push('wsServer', x, sample.wsConnections)
      this.latest = sample
      added++
    }
    if (added > 0) {
      this.trim()
      this.version++
    }
    return added
  }

  /** Drops what lies before the oldest point of the last MAX_POINTS samples. */
  private trim(): void {
    const rss = this.series.rss
    if (rss.length <= MAX_POINTS + MAX_POINTS / 10) return
    const cutoff = (rss[rss.length - MAX_POINTS] as Point).x
    for (const id of SERIES_IDS) {
      const list = this.series[id]
      const keepFrom = list.findIndex((p) => p.x >= cutoff)
      if (keepFrom > 0) list.splice(0, keepFrom)
      else if (keepFrom === -1) list.length = 0
    }
    this.markers = this.markers.filter((m) => m.x >= cutoff)
  }

  addEvents(events: readonly SessionEvent[]): void {
    let changed = false
    for (const e of events) {
      if (e.t < this.lastEventT) continue
      this.lastEventT = e.t
      changed = this.addEvent(e) || changed
    }
    if (changed) this.version++
  }

  addProgress(p: RunProgress): void {
    const ops = p.latency ? Object.keys(p.latency) : []
    if (!p.latency || ops.length === 0) return
    this.latencyOp ??= pickLatencyOp(ops)
    const l = p.latency[this.latencyOp]
    if (!l) return
    const x = this.x(p.t)
    const last = this.series.p50.at(-1)
    if (last && last.x >= x) return
    this.series.p50.push({ x, y: l.p50Ms })
    this.series.p95.push({ x, y: l.p95Ms })
    this.series.p99.push({ x, y: l.p99Ms })
    this.version++
  }

  private addEvent(e: SessionEvent): boolean {
    const x = this.x(e.t)
    switch (e.type) {
      case 'counters': {
        const prev = this.counters
        if (prev && e.t > prev.t) {
          const perSec = (now: number, before: number): number =>
            Math.max(0, ((now - before) * 1000) / (e.t - prev.t))
          this.series.notifPerSec.push({ x, y: perSec(e.notifications, prev.notifications) })
          // Overload answers: KalamDB's 429 and a 503 are counted, not fatal; a rate shows when.
          this.series.rateLimitedPerSec.push({ x, y: perSec(e.rateLimited, prev.rateLimited) })
          this.series.unavailablePerSec.push({ x, y: perSec(e.unavailable, prev.unavailable) })
        }
        this.series.dropped.push({ x, y: e.droppedNotifications })
        this.series.disconnects.push({ x, y: e.disconnects })
        this.series.wsWorkload.push({ x, y: e.connectionsOpen })
        this.counters = e
        return true
      }
      case 'phase':
        this.markers.push({ x, kind: 'phase', label: e.phase })
        return true
      case 'flush':
        this.markers.push({
          x,
          kind: e.status === 'completed' ? 'flush' : 'flush-failed',
          label: `flush ${e.table} ${e.status}`
        })
        return true
      case 'error': {
        const last = this.markers.findLast((m) => m.kind === 'error')
        if (last && x - last.x < ERROR_MERGE_S) return false
        this.markers.push({ x, kind: 'error', label: `${e.code}: ${e.message}` })
        return true
      }
      case 'crash':
        this.markers.push({ x, kind: 'crash', label: 'target exited' })
        return true
      case 'marker':
        this.markers.push({ x, kind: 'marker', label: e.label })
        return true
      case 'snapshot':
        this.markers.push({ x, kind: 'snapshot', label: `snapshot ${e.label}` })
        return true
      default:
        return false
    }
  }
}

function emptySeries(): Record<SeriesId, Point[]> {
  return Object.fromEntries(SERIES_IDS.map((id) => [id, [] as Point[]])) as Record<
    SeriesId,
    Point[]
  >
}

/** The operation whose latency the chart follows: what the seed's criteria are about. */
export function pickLatencyOp(ops: readonly string[]): string {
  for (const preferred of ['notification', 'query', 'insert'])
    if (ops.includes(preferred)) return preferred
  return [...ops].sort()[0] as string
}

export type LiveChartId =
  'memory' | 'cpu' | 'connections' | 'notifications' | 'latency' | 'overload'

/** The Live view's charts over a series set (arrays shared, not copied). */
export function liveCharts(set: SeriesSet): Record<LiveChartId, ChartSpec> {
  const s = set.series
  const markers = set.markers
  return {
    memory: {
      id: 'memory',
      title: 'Memory',
      y: { unit: 'bytes', title: 'resident memory (bytes)', beginAtZero: true },
      markers,
      datasets: [
        {
          id: 'heap',
          label: 'heap (anonymous)',
          color: '#2563eb',
          data: s.heap,
          fill: 'origin',
          stacked: true
        },
        {
          id: 'file',
          label: 'file-mapped',
          color: '#16a34a',
          data: s.file,
          fill: '-1',
          stacked: true
        },
        { id: 'stack', label: 'stack', color: '#f59e0b', data: s.stack, fill: '-1', stacked: true },
        { id: 'rss', label: 'RSS', color: '#111827', data: s.rss }
      ]
    },
    cpu: {
      id: 'cpu',
      title: 'CPU',
      y: { unit: 'percent', title: 'CPU (% of one core)' },
      markers,
      datasets: [
        { id: 'cpuUser', label: 'user', color: '#7c3aed', data: s.cpuUser },
        { id: 'cpuSystem', label: 'system', color: '#db2777', data: s.cpuSystem }
      ]
    },
    connections: {
      id: 'connections',
      title: 'WebSocket connections',
      y: { unit: 'count', title: 'connections (count)' },
      markers,
      datasets: [
        { id: 'wsWorkload', label: 'opened by the workload', color: '#2563eb', data: s.wsWorkload },
        { id: 'wsPort', label: "on the server's port", color: '#16a34a', data: s.wsPort },
        {
          id: 'wsServer',
          label: 'sessions the server reports',
          color: '#dc2626',
          data: s.wsServer,
          dashed: true
        }
      ]
    },
    notifications: {
      id: 'notifications',
      title: 'Notifications',
      y: { unit: 'per-sec', title: 'notifications per second (/s)' },
      y2: { unit: 'count', title: 'dropped, disconnects (count)' },
      markers,
      datasets: [
        { id: 'notifPerSec', label: 'notifications/s', color: '#0891b2', data: s.notifPerSec },
        {
          id: 'dropped',
          label: 'dropped notifications',
          color: '#dc2626',
          data: s.dropped,
          axis: 'y2'
        },
        {
          id: 'disconnects',
          label: 'disconnects',
          color: '#7f1d1d',
          data: s.disconnects,
          axis: 'y2',
          dashed: true
        }
      ]
    },
    latency: {
      id: 'latency',
      title: set.latencyOp ? `Latency (${set.latencyOp})` : 'Latency',
      y: { unit: 'ms', title: 'latency (ms)' },
      markers,
      datasets: [
        { id: 'p50', label: 'p50', color: '#16a34a', data: s.p50 },
        { id: 'p95', label: 'p95', color: '#f59e0b', data: s.p95 },
        { id: 'p99', label: 'p99', color: '#dc2626', data: s.p99 }
      ]
    },
    overload: {
      id: 'overload',
      title: 'Overload answers (429 / 503)',
      y: { unit: 'per-sec', title: 'answers per second (/s)', beginAtZero: true },
      markers,
      datasets: [
        {
          id: 'rateLimitedPerSec',
          label: '429 rate-limited',
          color: '#f59e0b',
          data: s.rateLimitedPerSec
        },
        {
          id: 'unavailablePerSec',
          label: '503 unavailable',
          color: '#dc2626',
          data: s.unavailablePerSec,
          dashed: true
        }
      ]
    }
  }
}

const last = (points: Point[]): number | null => points.at(-1)?.y ?? null

/** A figure a recorded sample may lack: "—" when it does. */
export function bytesOrDash(v: number | null | undefined): string {
  return typeof v === 'number' ? formatBytes(v) : '—'
}

/** The latest values of a chart in words, units included (text alternative of the canvas). */
export function chartSummary(id: LiveChartId, set: SeriesSet): string {
  const s = set.series
  const sample = set.latest
  switch (id) {
    case 'memory':
      return sample
        ? `RSS ${formatBytes(sample.rssBytes)}, heap ${bytesOrDash(sample.heapBytes)}, file-mapped ${bytesOrDash(sample.fileMappedBytes)}, stack ${bytesOrDash(sample.stackBytes)}`
        : 'no samples yet'
    case 'cpu': {
      const u = last(s.cpuUser)
      const y = last(s.cpuSystem)
      return u === null
        ? 'no CPU figures yet'
        : `user ${formatPercent(u)}, system ${formatPercent(y ?? 0)}`
    }
    case 'connections': {
      const parts: string[] = []
      const w = last(s.wsWorkload)
      const p = last(s.wsPort)
      const v = last(s.wsServer)
      if (w !== null) parts.push(`${w} opened by the workload`)
      if (p !== null) parts.push(`${p} on the server's port`)
      if (v !== null) parts.push(`${v} reported by the server`)
      return parts.length ? parts.join(', ') : 'no connection figures yet'
    }
    case 'notifications': {
      const n = last(s.notifPerSec)
      return n === null
        ? 'no notification figures yet (they come from a running scenario)'
        : `${formatRate(n)} notifications, ${last(s.dropped) ?? 0} dropped, ${last(s.disconnects) ?? 0} disconnects`
    }
    case 'overload': {
      const r = last(s.rateLimitedPerSec)
      const c = set.counters
      return r === null || !c
        ? 'no overload figures yet (they come from a running scenario)'
        : `${formatRate(r)} answered 429, ${formatRate(last(s.unavailablePerSec) ?? 0)} answered 503 (${c.rateLimited} and ${c.unavailable} in all)`
    }
    case 'latency': {
      const p = last(s.p50)
      return p === null
        ? 'no latency figures yet (they come from a running scenario)'
        : `p50 ${formatMs(p)}, p95 ${formatMs(last(s.p95) ?? 0)}, p99 ${formatMs(last(s.p99) ?? 0)}`
    }
  }
}
