/** Registers what our time charts use, once: tree-shaken Chart.js plus zoom and markers. */
import {
  Chart,
  Decimation,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartConfiguration
} from 'chart.js'
import zoomPlugin from 'chartjs-plugin-zoom'
import { markersPlugin } from './markers'
import { chartConfig, type ChartSpec, type Point } from './spec'

let registered = false

export function registerCharts(): void {
  if (registered) return
  Chart.register(
    LineController,
    LineElement,
    PointElement,
    LinearScale,
    Filler,
    Legend,
    Tooltip,
    Decimation,
    zoomPlugin,
    markersPlugin
  )
  registered = true
}

export function createChart(
  canvas: HTMLCanvasElement,
  spec: ChartSpec,
  onZoom?: (range: { min: number; max: number }) => void
): Chart<'line', Point[]> {
  registerCharts()
  return new Chart(canvas, chartConfig(spec, onZoom) as ChartConfiguration<'line', Point[]>)
}

/**
 * Points the chart at the spec's current arrays and markers and redraws without animation.
 * Arrays are shared, not copied: a live series grows in place.
 */
export function updateChart(chart: Chart<'line', Point[]>, spec: ChartSpec): void {
  spec.datasets.forEach((d, i) => {
    const ds = chart.data.datasets[i]
    if (ds && ds.data !== d.data) ds.data = d.data
  })
  const plugins = chart.options.plugins as { markers?: { items: unknown[] } } | undefined
  if (plugins?.markers) plugins.markers.items = spec.markers ?? []
  chart.update('none')
}
