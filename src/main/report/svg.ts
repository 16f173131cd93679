/**
 * Line charts as inline SVG for the HTML report: drawn here, so the file needs no script,
 * font or image from anywhere and prints as vectors. Axes carry units, phases are shaded
 * bands with their names, flushes/crashes/snapshots are ticks you can hover for a label.
 */
import { formatElapsed } from '../../shared/units'
import { escapeHtml } from './format'
import type { ChartDef, PhaseSpan, TimeMarker } from './model'
import { decimateMinMax, niceRange } from './series'

/** Distinct in colour and in greyscale print order; the first is the headline series. */
export const SERIES_COLORS = ['#1f5fbf', '#c62828', '#2e7d32', '#7b1fa2', '#ef6c00', '#5d4037']

const MARKER_STYLE: Record<TimeMarker['kind'], { color: string; full: boolean }> = {
  flush: { color: '#607d8b', full: false },
  'failed-flush': { color: '#ef6c00', full: true },
  crash: { color: '#c62828', full: true },
  marker: { color: '#37474f', full: false },
  snapshot: { color: '#7b1fa2', full: false }
}

export interface SvgChartInput {
  chart: ChartDef
  startT: number
  endT: number
  phases: readonly PhaseSpan[]
  markers: readonly TimeMarker[]
  /** Points per series after decimation. */
  maxPoints: number
}

const W = 900
const H = 300
const M = { left: 72, right: 16, top: 26, bottom: 46 }
const PW = W - M.left - M.right
const PH = H - M.top - M.bottom

export function renderSvgChart(input: SvgChartInput): string {
  const { chart, startT } = input
  const endT = Math.max(input.endT, startT + 1)
  const series = chart.series.map((s) => ({
    ...s,
    points: decimateMinMax(s.points, input.maxPoints)
  }))
  let lo = Infinity
  let hi = -Infinity
  for (const s of series)
    for (const [, v] of s.points) {
      if (v < lo) lo = v
      if (v > hi) hi = v
    }
  if (!Number.isFinite(lo)) return ''
  const scale = unitScale(chart.unit, hi)
  // Counts and percent read best from zero; memory from its own range, where growth shows.
  const range = niceRange(
    chart.unit === 'bytes' ? lo / scale.div : Math.min(0, lo),
    hi / scale.div,
    5
  )
  const x = (t: number): number => M.left + ((t - startT) / (endT - startT)) * PW
  const y = (v: number): number =>
    M.top + PH - ((v / scale.div - range.min) / (range.max - range.min)) * PH
  const parts: string[] = []
  parts.push(
    `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(chart.title)}" preserveAspectRatio="xMidYMid meet">`
  )
  parts.push(`<rect x="${M.left}" y="${M.top}" width="${PW}" height="${PH}" class="plot"/>`)
  parts.push(phaseBands(input.phases, x, startT, endT))
  // Horizontal grid and y labels.
  const digits = range.step >= 1 ? 0 : range.step >= 0.1 ? 1 : 2
  for (let v = range.min; v <= range.max + range.step / 1000; v += range.step) {
    const yy = f(M.top + PH - ((v - range.min) / (range.max - range.min)) * PH)
    parts.push(`<line x1="${M.left}" x2="${M.left + PW}" y1="${yy}" y2="${yy}" class="grid"/>`)
    parts.push(
      `<text x="${M.left - 6}" y="${yy}" class="ylabel" dy="0.32em">${v.toFixed(digits)}</text>`
    )
  }
  // X ticks in elapsed time.
  const step = timeStep(endT - startT)
  for (let t = 0; t <= endT - startT; t += step) {
    const xx = f(x(startT + t))
    parts.push(
      `<line x1="${xx}" x2="${xx}" y1="${M.top + PH}" y2="${M.top + PH + 5}" class="axis"/>`
    )
    parts.push(`<text x="${xx}" y="${M.top + PH + 18}" class="xlabel">${formatElapsed(t)}</text>`)
  }
  parts.push(
    `<line x1="${M.left}" x2="${M.left + PW}" y1="${M.top + PH}" y2="${M.top + PH}" class="axis"/>`,
    `<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${M.top + PH}" class="axis"/>`,
    `<text x="${M.left + PW / 2}" y="${H - 6}" class="axistitle">elapsed time (${endT - startT >= 3_600_000 ? 'h:mm:ss' : 'm:ss'})</text>`,
    `<text x="14" y="${M.top + PH / 2}" class="axistitle" transform="rotate(-90 14 ${M.top + PH / 2})">${escapeHtml(scale.title)}</text>`
  )
  parts.push(markerTicks(input.markers, x, startT, endT))
  series.forEach((s, i) => {
    if (s.points.length === 0) return
    const color = SERIES_COLORS[i % SERIES_COLORS.length]
    const pts = s.points.map(([t, v]) => `${f(x(t))},${f(y(v))}`).join(' ')
    if (s.points.length === 1) {
      const [t, v] = s.points[0]!
      parts.push(`<circle cx="${f(x(t))}" cy="${f(y(v))}" r="2.5" fill="${color}"/>`)
    } else {
      parts.push(
        `<polyline points="${pts}" fill="none" stroke="${color}" stroke-width="1.4" stroke-linejoin="round"><title>${escapeHtml(s.label)}</title></polyline>`
      )
    }
  })
  parts.push('</svg>')
  return parts.filter(Boolean).join('\n')
}

/** The chart's legend as HTML (text stays selectable and prints crisply). */
export function renderLegend(chart: ChartDef): string {
  return `<ul class="legend">${chart.series
    .map(
      (s, i) =>
        `<li><span class="swatch" style="background:${SERIES_COLORS[i % SERIES_COLORS.length]}"></span>${escapeHtml(s.label)}</li>`
    )
    .join('')}</ul>`
}

function phaseBands(
  phases: readonly PhaseSpan[],
  x: (t: number) => number,
  startT: number,
  endT: number
): string {
  const out: string[] = []
  phases.forEach((p, i) => {
    const from = Math.max(startT, Math.min(endT, p.from))
    const to = Math.max(startT, Math.min(endT, p.to))
    const x1 = x(from)
    const x2 = x(to)
    if (i % 2 === 0 && x2 > x1)
      out.push(
        `<rect x="${f(x1)}" y="${M.top}" width="${f(x2 - x1)}" height="${PH}" class="phase"/>`
      )
    out.push(
      `<line x1="${f(x1)}" x2="${f(x1)}" y1="${M.top - 4}" y2="${M.top + PH}" class="phaseline"/>`
    )
    // Label only phases wide enough to hold one; hover still names the rest.
    const label = x2 - x1 > 40 ? escapeHtml(p.name) : ''
    out.push(
      `<text x="${f(x1 + 3)}" y="${M.top - 8}" class="phaselabel">${label}<title>${escapeHtml(p.name)} ${formatElapsed(p.from - startT)}–${formatElapsed(p.to - startT)}</title></text>`
    )
  })
  return out.join('\n')
}

function markerTicks(
  markers: readonly TimeMarker[],
  x: (t: number) => number,
  startT: number,
  endT: number
): string {
  return markers
    .filter((m) => m.t >= startT && m.t <= endT)
    .slice(0, 2000)
    .map((m) => {
      const s = MARKER_STYLE[m.kind]
      const xx = f(x(m.t))
      const y1 = s.full ? M.top : M.top + PH - 10
      return `<line x1="${xx}" x2="${xx}" y1="${y1}" y2="${M.top + PH}" stroke="${s.color}" stroke-width="${s.full ? 1.5 : 1.2}" class="marker"><title>${escapeHtml(`${formatElapsed(m.t - startT)} ${m.label}`)}</title></line>`
    })
    .join('\n')
}

function unitScale(unit: ChartDef['unit'], max: number): { div: number; title: string } {
  if (unit === 'percent') return { div: 1, title: 'percent of one core' }
  if (unit === 'count') return { div: 1, title: 'count' }
  if (max >= 10 * 1024 ** 3) return { div: 1024 ** 3, title: 'GiB' }
  if (max >= 10 * 1024 ** 2) return { div: 1024 ** 2, title: 'MiB' }
  return { div: 1024, title: 'KiB' }
}

const TIME_STEPS = [
  1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 21_600, 43_200, 86_400
].map((s) => s * 1000)

/** A tick step giving at most ~10 labels. */
function timeStep(spanMs: number): number {
  return TIME_STEPS.find((s) => spanMs / s <= 10) ?? spanMs / 10
}

function f(n: number): string {
  return (Math.round(n * 10) / 10).toString()
}
