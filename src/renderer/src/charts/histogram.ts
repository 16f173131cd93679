/**
 * A latency histogram as data: one bar per log-spaced latency bucket (ms) with its count.
 * Pure, so the view's chart and its tests read the very same configuration.
 */
import type { ChartConfiguration } from 'chart.js'
import type { LatencyBucket } from '../../../shared/analysis'

export interface HistogramSpec {
  id: string
  title: string
  /** What one count is (e.g. 'insert'), for the axis and the tooltip. */
  operation: string
  bars: LatencyBucket[]
  color: string
}

/** An edge in ms without float noise or needless digits: 0.005, 0.5, 2, 1,000. */
export function formatEdgeMs(ms: number): string {
  return Number(ms.toPrecision(3)).toLocaleString('en-US', { maximumFractionDigits: 3 })
}

/** "1–2 ms": the range of a bar, the unit once. */
export function bucketLabel(b: LatencyBucket): string {
  return `${formatEdgeMs(b.fromMs)}–${formatEdgeMs(b.toMs)} ms`
}

const plural = (n: number, what: string): string =>
  `${n.toLocaleString('en-US')} ${what}${n === 1 ? '' : 's'}`

/** The text alternative of the chart: the busiest bar and the slowest filled one. */
export function histogramSummary(spec: HistogramSpec): string {
  const filled = spec.bars.filter((b) => b.count > 0)
  const total = filled.reduce((n, b) => n + b.count, 0)
  if (total === 0) return `No ${spec.operation} latency recorded.`
  const mode = filled.reduce((m, b) => (b.count > m.count ? b : m))
  const slowest = filled.at(-1) as LatencyBucket
  const most = `${plural(total, spec.operation)}; most (${mode.count.toLocaleString('en-US')}) took ${bucketLabel(mode)}`
  return slowest === mode
    ? `${most}.`
    : `${most}, the slowest ${slowest.count.toLocaleString('en-US')} took ${bucketLabel(slowest)}.`
}

/**
 * Bars on a category axis (the buckets are log-spaced, so equal-width bars read as a log
 * scale) with units on both axes. No animation: it is evidence, not decoration.
 */
export function histogramConfig(spec: HistogramSpec): ChartConfiguration<'bar', number[], string> {
  return {
    type: 'bar',
    data: {
      labels: spec.bars.map(bucketLabel),
      datasets: [
        {
          label: `${spec.operation} (count)`,
          data: spec.bars.map((b) => b.count),
          backgroundColor: `${spec.color}cc`,
          borderColor: spec.color,
          borderWidth: 1,
          categoryPercentage: 1,
          barPercentage: 0.95
        }
      ]
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        x: {
          type: 'category',
          title: { display: true, text: 'latency (ms)' },
          ticks: { autoSkip: true, maxRotation: 45, callback: (_v, i) => shortLabel(spec, i) }
        },
        y: {
          type: 'linear',
          beginAtZero: true,
          title: { display: true, text: `${spec.operation}s (count)` },
          ticks: { precision: 0, maxTicksLimit: 6 }
        }
      },
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            title: (items) => (items[0] ? (items[0].label ?? '') : ''),
            label: (item) => plural(Number(item.raw), spec.operation)
          }
        }
      }
    }
  }
}

/** A tick shows the bar's range without the unit (the axis title carries it). */
function shortLabel(spec: HistogramSpec, i: number): string {
  const b = spec.bars[i]
  return b ? `${formatEdgeMs(b.fromMs)}–${formatEdgeMs(b.toMs)}` : ''
}
