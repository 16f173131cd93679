/** Registers what bar charts use, once (tree-shaken Chart.js), and creates one. */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  LinearScale,
  Tooltip,
  type ChartConfiguration
} from 'chart.js'

let registered = false

export function createBarChart(
  canvas: HTMLCanvasElement,
  config: ChartConfiguration<'bar', number[], string>
): Chart<'bar', number[], string> {
  if (!registered) {
    Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip)
    registered = true
  }
  return new Chart(canvas, config)
}
