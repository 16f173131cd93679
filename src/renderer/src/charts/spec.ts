/**
 * What a time chart shows, as data: axes with units, datasets over point arrays. Pure, so
 * views and the benchmark build the very same chart configuration and tests can read it.
 */
import type { ChartConfiguration, ChartDataset, ChartOptions } from 'chart.js'
import { formatBytes, formatElapsed, formatMs } from '../format'
import type { Marker } from './markers'

/** A point of a series: x in seconds since the series' start; `v` the raw value when y is stacked. */
export interface Point {
  x: number
  y: number
  v?: number
}

export type AxisUnit = 'bytes' | 'percent' | 'count' | 'per-sec' | 'ms'

export interface AxisSpec {
  unit: AxisUnit
  title: string
  /** Start the axis at zero (counts, rates); memory zooms in on its range. */
  beginAtZero?: boolean
}

export interface DatasetSpec {
  id: string
  label: string
  color: string
  data: Point[]
  /** 'origin' for the bottom of a stack, '-1' to fill down to the dataset before. */
  fill?: 'origin' | '-1' | false
  dashed?: boolean
  axis?: 'y' | 'y2'
  /** Tooltip shows `v` (the own value of a stacked layer) instead of y. */
  stacked?: boolean
}

export interface ChartSpec {
  id: string
  title: string
  y: AxisSpec
  y2?: AxisSpec
  datasets: DatasetSpec[]
  markers?: Marker[]
}

export function formatAxisValue(unit: AxisUnit, v: number): string {
  switch (unit) {
    case 'bytes':
      return formatBytes(v)
    case 'percent':
      return `${Math.round(v * 10) / 10}%`
    case 'per-sec':
      return `${Math.round(v * 10) / 10}/s`
    case 'ms':
      return formatMs(v)
    default:
      return String(Math.round(v * 100) / 100)
  }
}

function axis(spec: AxisSpec, position: 'left' | 'right'): Record<string, unknown> {
  return {
    type: 'linear',
    position,
    beginAtZero: spec.beginAtZero ?? true,
    title: { display: true, text: spec.title },
    ticks: {
      maxTicksLimit: 6,
      callback: (v: number | string) => formatAxisValue(spec.unit, Number(v))
    },
    grid: { drawOnChartArea: position === 'left' }
  }
}

export function datasetOf(d: DatasetSpec): ChartDataset<'line', Point[]> {
  return {
    label: d.label,
    data: d.data,
    borderColor: d.color,
    backgroundColor: d.fill ? `${d.color}55` : d.color,
    fill: d.fill ?? false,
    borderWidth: d.fill ? 1 : 1.5,
    borderDash: d.dashed ? [6, 4] : [],
    pointRadius: 0,
    pointHitRadius: 4,
    tension: 0,
    spanGaps: true,
    yAxisID: d.axis ?? 'y',
    // Decimation needs these on the dataset: points are preformatted {x, y}, sorted by x.
    parsing: false,
    normalized: true,
    indexAxis: 'x'
  }
}

/**
 * The options that keep an hour at 10 Hz smooth (6 × 36,000 points): no animation, no
 * parsing, sorted data, LTTB decimation to about one point per pixel (it keeps the peaks
 * that matter here). Measured by `npm run bench -- ui`: min-max decimation left up to four
 * points per pixel and a frame three times as long in software rendering.
 */
export function chartOptions(
  spec: ChartSpec,
  onZoom?: (range: { min: number; max: number }) => void
): ChartOptions<'line'> {
  const units: Record<string, AxisSpec> = { y: spec.y, ...(spec.y2 ? { y2: spec.y2 } : {}) }
  const byLabel = new Map(spec.datasets.map((d) => [d.label, d]))
  return {
    animation: false,
    parsing: false,
    normalized: true,
    responsive: true,
    maintainAspectRatio: false,
    spanGaps: true,
    interaction: { mode: 'nearest', axis: 'x', intersect: false },
    scales: {
      x: {
        type: 'linear',
        title: { display: true, text: 'time since start (m:ss)' },
        ticks: { maxTicksLimit: 8, precision: 0, callback: (v) => formatElapsed(Number(v) * 1000) }
      },
      y: axis(spec.y, 'left'),
      ...(spec.y2 ? { y2: axis(spec.y2, 'right') } : {})
    },
    plugins: {
      legend: {
        position: 'bottom',
        labels: { boxWidth: 14, usePointStyle: true, pointStyle: 'line' }
      },
      decimation: { enabled: true, algorithm: 'lttb' },
      tooltip: {
        callbacks: {
          title: (items) =>
            items[0] ? `t = ${formatElapsed((items[0].parsed.x ?? 0) * 1000)}` : '',
          label: (item) => {
            const d = byLabel.get(item.dataset.label ?? '')
            const raw = item.raw as Point
            const unit = units[d?.axis ?? 'y']?.unit ?? 'count'
            const value = d?.stacked && raw.v !== undefined ? raw.v : raw.y
            return `${item.dataset.label}: ${formatAxisValue(unit, value)}`
          }
        }
      },
      markers: { items: spec.markers ?? [] },
      zoom: {
        limits: { x: { min: 'original', max: 'original' } },
        pan: {
          enabled: true,
          mode: 'x',
          onPanComplete: ({ chart }) =>
            onZoom?.({ min: chart.scales.x!.min, max: chart.scales.x!.max })
        },
        zoom: {
          wheel: { enabled: true },
          pinch: { enabled: true },
          mode: 'x',
          onZoomComplete: ({ chart }) =>
            onZoom?.({ min: chart.scales.x!.min, max: chart.scales.x!.max })
        }
      }
    }
  }
}

export function chartConfig(
  spec: ChartSpec,
  onZoom?: (range: { min: number; max: number }) => void
): ChartConfiguration<'line', Point[]> {
  return {
    type: 'line',
    data: { datasets: spec.datasets.map(datasetOf) },
    options: chartOptions(spec, onZoom)
  }
}

/** Total points across datasets: the e2e tests and the benchmark read it. */
export function pointCount(spec: ChartSpec): number {
  return spec.datasets.reduce((n, d) => n + d.data.length, 0)
}
