/**
 * The analysis in words and as chart data: headline, fitted trends, connection reconciliation,
 * latency rows. Pure.
 */
import {
  ATTRIBUTION_UNIT,
  type AnalysisResult,
  type ConnectionReconciliation,
  type MetricAnalysis
} from '../../../../shared/analysis'
import type { SessionView } from '../../../../shared/api'
import type { MemoryField, RecordedSample } from '../../../../shared/sample'
import type { LatencyFile } from '../../../../shared/session'
import type { HistogramSpec } from '../../charts/histogram'
import type { ChartSpec, Point } from '../../charts/spec'
import { formatBytes, formatDuration, formatPercent, formatSlope } from '../../format'
import { SeriesSet } from '../Live/Live.utils'

export const METRIC_NAMES: Record<MemoryField, string> = {
  rssBytes: 'RSS',
  heapBytes: 'heap',
  fileMappedBytes: 'file-mapped memory',
  stackBytes: 'stack',
  pssBytes: 'PSS',
  ussBytes: 'USS',
  swapBytes: 'swap'
}

export function metricName(field: string): string {
  return METRIC_NAMES[field as MemoryField] ?? field
}

/**
 * The answer in one sentence, before any chart: "Leaks ≈ 38.0 MiB/min in heap, ≈ 1.9 KiB
 * per insert." / "No leak: RSS stable (+1.2% over the run)." / why it cannot say.
 */
export function headline(a: AnalysisResult): string {
  const entries = Object.entries(a.metrics) as [MemoryField, MetricAnalysis][]
  const leaks = entries
    .filter(([, m]) => m.verdict === 'leak')
    .sort((x, y) => y[1].slopeBytesPerMin - x[1].slopeBytesPerMin)
  if (leaks.length > 0) {
    const [field, m] = leaks[0]!
    const attr = a.attribution.filter((x) => x.metric === field).sort((x, y) => y.r2 - x.r2)[0]
    const per = attr
      ? `, ≈ ${formatBytes(attr.bytesPerUnit)} per ${ATTRIBUTION_UNIT[attr.per]}`
      : ''
    return `Leaks ≈ ${formatSlope(m.slopeBytesPerMin).replace(/^\+/, '')} in ${metricName(field)}${per}.`
  }
  const rss = a.metrics.rssBytes
  if (entries.length > 0 && entries.every(([, m]) => m.verdict === 'stable') && rss) {
    return `No leak: RSS stable (${rss.growthPercent >= 0 ? '+' : ''}${formatPercent(rss.growthPercent)} over the run).`
  }
  const inconclusive = entries.find(([, m]) => m.verdict === 'inconclusive')
  if (inconclusive) return `Not enough to say: ${inconclusive[1].reason}`
  return 'No memory samples to judge.'
}

/**
 * The fitted trend of a metric as a two-point line over its judged window, drawn through
 * the median point of the window (where a robust fit passes) with the reported slope.
 */
export function trendLine(
  samples: readonly RecordedSample[],
  field: MemoryField,
  m: MetricAnalysis,
  t0: number
): Point[] {
  const from = m.window?.from ?? samples[0]?.t
  const to = m.window?.to ?? samples.at(-1)?.t
  if (from === undefined || to === undefined || to <= from) return []
  const inWindow = samples.filter((s) => s.t >= from && s.t <= to && typeof s[field] === 'number')
  if (inWindow.length === 0) return []
  const median = (xs: number[]): number => {
    const v = [...xs].sort((a, b) => a - b)
    const mid = Math.floor(v.length / 2)
    return v.length % 2 ? (v[mid] as number) : ((v[mid - 1] as number) + (v[mid] as number)) / 2
  }
  const tm = median(inWindow.map((s) => s.t))
  const ym = median(inWindow.map((s) => s[field] as number))
  const at = (t: number): number => ym + (m.slopeBytesPerMin * (t - tm)) / 60_000
  return [
    { x: (from - t0) / 1000, y: at(from) },
    { x: (to - t0) / 1000, y: at(to) }
  ]
}

/**
 * What the chart of a long recording is drawn from, when the engine thinned it (SessionView
 * `samples`); null when every sample is drawn.
 */
export function thinnedNote(view: SessionView): string | null {
  if (view.sampleCount <= view.samples.length) return null
  const n = (x: number): string => x.toLocaleString('en-US')
  return (
    `Drawn from ${n(view.samples.length)} of ${n(view.sampleCount)} samples: each span of ` +
    `time's highest and lowest RSS. The analysis reads all ${n(view.sampleCount)}.`
  )
}

/** Memory of a recorded session with the fitted trends of RSS and heap. */
export function growthSpec(view: SessionView, a: AnalysisResult | null): ChartSpec {
  const set = new SeriesSet()
  set.addEvents(view.events)
  set.addSamples(view.samples)
  const t0 = set.t0 ?? view.meta.startedAt
  const datasets: ChartSpec['datasets'] = [
    {
      id: 'heap',
      label: 'heap (anonymous)',
      color: '#2563eb',
      data: set.series.heap,
      fill: 'origin',
      stacked: true
    },
    {
      id: 'file',
      label: 'file-mapped',
      color: '#16a34a',
      data: set.series.file,
      fill: '-1',
      stacked: true
    },
    { id: 'rss', label: 'RSS', color: '#111827', data: set.series.rss }
  ]
  for (const field of ['rssBytes', 'heapBytes'] as const) {
    const m = a?.metrics[field]
    // An inconclusive metric has no trend worth drawing (its slope is a placeholder).
    if (!m || m.verdict === 'inconclusive') continue
    const line = trendLine(view.samples, field, m, t0)
    if (line.length)
      datasets.push({
        id: `trend-${field}`,
        label: `${metricName(field)} trend (${formatSlope(m.slopeBytesPerMin)})`,
        color: field === 'rssBytes' ? '#dc2626' : '#7c3aed',
        data: line,
        dashed: true
      })
  }
  return {
    id: 'growth',
    title: 'Memory with fitted trend',
    y: { unit: 'bytes', title: 'resident memory (bytes)' },
    datasets,
    markers: set.markers
  }
}

export interface LatencyRow {
  operation: string
  count: number
  p50Ms: number
  p95Ms: number
  p99Ms: number
  maxMs: number
}

/** Percentiles per operation: the analysis' figures, else the session's latency.json. */
export function latencyRows(a: AnalysisResult | null, file: LatencyFile | null): LatencyRow[] {
  if (a?.latency && Object.keys(a.latency).length > 0) {
    return Object.entries(a.latency).map(([operation, l]) => ({ operation, ...l }))
  }
  if (!file) return []
  return Object.entries(file.operations).map(([operation, l]) => ({
    operation,
    count: l.count,
    p50Ms: l.p50Us / 1000,
    p95Ms: l.p95Us / 1000,
    p99Ms: l.p99Us / 1000,
    maxMs: l.maxUs / 1000
  }))
}

const HISTOGRAM_COLORS = ['#2563eb', '#16a34a', '#d97706', '#7c3aed', '#dc2626', '#0891b2']

/**
 * One latency histogram per operation, in the order the engine sent them; none when the
 * session (or an engine older than the histograms) carries no bars.
 */
export function latencyHistogramSpecs(view: SessionView): HistogramSpec[] {
  return Object.entries(view.latencyHistograms ?? {})
    .filter(([, bars]) => bars.some((b) => b.count > 0))
    .map(([operation, bars], i) => ({
      id: `latency-histogram-${operation.replace(/[^\w-]/g, '_')}`,
      title: `${operation} latency histogram`,
      operation,
      bars,
      color: HISTOGRAM_COLORS[i % HISTOGRAM_COLORS.length] as string
    }))
}

const connections = (n: number): string => `${n} connection${n === 1 ? '' : 's'}`

/** Connections the profiler has open that the server no longer holds; null unless flagged. */
export function missingConnections(c: ConnectionReconciliation): number | null {
  const observed = c.serverReported ?? c.sockets
  return c.missing && c.expected !== null && observed !== null ? c.expected - observed : null
}

/**
 * The reconciliation in one sentence that matches the figures shown beside it. The analysis
 * flags only stale or missing connections, and only after the grace period: no flag alone
 * proves nothing — the run may have ended inside it, or a count it does not go by may differ.
 */
export function connectionsVerdict(c: ConnectionReconciliation): string {
  const observed = c.serverReported ?? c.sockets
  if (c.stale && c.expected !== null && observed !== null) {
    return `They disagree after the grace period: the server keeps stale connections (${observed - c.expected} more than the profiler has open).`
  }
  const missing = missingConnections(c)
  if (missing !== null) {
    return `They disagree after the grace period: ${connections(missing)} the profiler has open ${missing === 1 ? 'is' : 'are'} missing on the server (dropped).`
  }
  if (c.judgedFrom === null) {
    const grace = c.graceMs ? `the ${formatDuration(c.graceMs)} grace period` : 'the grace period'
    return `Not judged: the run ended within ${grace} after the profiler last opened or closed a connection, so the server may not have caught up; the figures are from the last sample.`
  }
  if (c.expected === null) return 'Not judged: the profiler recorded no count of its own.'
  const all: [string, number | null][] = [
    ['expected', c.expected],
    ['sockets on the port', c.sockets],
    ['reported by the server', c.serverReported]
  ]
  const figures = all.filter((f): f is [string, number] => f[1] !== null)
  if (figures.length < 2) return "Not judged: the server's side was not measured."
  if (figures.every(([, v]) => v === c.expected)) return `They agree: ${connections(c.expected)}.`
  const differ = `They differ: ${figures.map(([what, v]) => `${v} ${what}`).join(', ')}.`
  // Not flagged although they differ: the analysis goes by the server's own count.
  return c.serverReported === c.expected
    ? `${differ} The server's own session count matches what the profiler has open, so no stale connections are flagged.`
    : differ
}
