/**
 * Phase markers, flushes, errors and crashes drawn as vertical lines on a time chart: a
 * twenty-line Chart.js plugin instead of chartjs-plugin-annotation, since a line and a
 * label are all these need and there may be hundreds of them on an hour of data.
 */
import type { Chart, ChartType, Plugin } from 'chart.js'

export type MarkerKind =
  'phase' | 'flush' | 'flush-failed' | 'error' | 'crash' | 'marker' | 'snapshot'

/** One annotation at `x` (seconds since the start of the series). */
export interface Marker {
  x: number
  kind: MarkerKind
  label: string
}

export const MARKER_COLORS: Record<MarkerKind, string> = {
  phase: '#6b7280',
  flush: '#0891b2',
  'flush-failed': '#b45309',
  error: '#dc2626',
  crash: '#7f1d1d',
  marker: '#7c3aed',
  snapshot: '#2563eb'
}

declare module 'chart.js' {
  interface PluginOptionsByType<TType extends ChartType> {
    /** Vertical markers (see charts/markers.ts). */
    markers?: { items: Marker[]; _type?: TType }
  }
}

/** Markers inside [min, max], in order. */
export function visibleMarkers(items: readonly Marker[], min: number, max: number): Marker[] {
  return items.filter((m) => m.x >= min && m.x <= max)
}

/** Labels drawn on the chart stay short; the full text is in the session's events. */
export function shortLabel(label: string, max = 16): string {
  return label.length > max ? `${label.slice(0, max - 1)}…` : label
}

export const markersPlugin: Plugin = {
  id: 'markers',
  afterDatasetsDraw(chart: Chart, _args, options: { items?: Marker[] }) {
    const items = options.items ?? []
    const scale = chart.scales.x
    if (items.length === 0 || !scale) return
    const { top, bottom, left, right } = chart.chartArea
    const ctx = chart.ctx
    ctx.save()
    ctx.font = '11px system-ui, sans-serif'
    ctx.textBaseline = 'top'
    for (const m of visibleMarkers(items, scale.min, scale.max)) {
      const px = scale.getPixelForValue(m.x)
      if (px < left || px > right) continue
      ctx.strokeStyle = MARKER_COLORS[m.kind]
      ctx.lineWidth = m.kind === 'phase' || m.kind === 'crash' ? 1.5 : 1
      ctx.setLineDash(m.kind === 'flush' || m.kind === 'flush-failed' ? [4, 3] : [])
      ctx.beginPath()
      ctx.moveTo(px, top)
      ctx.lineTo(px, bottom)
      ctx.stroke()
      // Only phases and crashes get text: the other kinds can come by the hundred.
      if (m.kind === 'phase' || m.kind === 'crash') {
        ctx.fillStyle = MARKER_COLORS[m.kind]
        ctx.fillText(shortLabel(m.label), Math.min(px + 3, right - 60), top + 2)
      }
    }
    ctx.restore()
  }
}
