/**
 * The comparison as one self-contained HTML file, in the session report's look: verdict
 * first, a forest plot of every relative change with its 95% interval against the noise
 * band, the full table with reasons, caveats, and (sessions) memory of A and B over elapsed
 * time drawn with the report's SVG charts. No script, font or image from anywhere (CSP);
 * the CompareResult is embedded as inert JSON.
 */
import type { CompareResult } from '../../shared/compare'
import { formatInUnit } from '../../shared/units'
import { escapeHtml as h, formatTime } from '../report/format'
import { renderLegend, renderSvgChart } from '../report/svg'
import type { OverlayChart } from './charts'
import { intervalText } from './render-markdown'
import { GROUP_TITLE, callOf, sideDetails } from './render-text'
import { VERDICT_LABEL, formatChange, formatMetricChange } from './words'

const CSS = `
:root { --fg:#1b1f24; --muted:#57606a; --line:#d0d7de; --pass:#1a7f37; --fail:#c62828; --warn:#9a6700; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif; }
main { max-width: 1000px; margin: 0 auto; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 6px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.verdict { border-left: 6px solid var(--muted); padding: 10px 14px; background: #f6f8fa; }
.verdict.regression { border-color: var(--fail); } .verdict.improvement { border-color: var(--pass); }
.badge { display: inline-block; font-weight: 700; padding: 1px 8px; border-radius: 10px; color: #fff; background: var(--muted); }
.badge.regression, .badge.worse { background: var(--fail); } .badge.improvement, .badge.better { background: var(--pass); }
table { border-collapse: collapse; width: 100%; margin: 6px 0; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; } td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.group td { background: #f6f8fa; font-weight: 600; }
tr.sig td { background: #fff8f0; }
tr.why td { color: var(--muted); font-size: 12px; border-top: none; padding-top: 0; }
td.ci { font-variant-numeric: tabular-nums; font-size: 12px; }
code { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12px; word-break: break-all; }
.muted { color: var(--muted); }
svg.chart, svg.forest { width: 100%; height: auto; display: block; }
svg .plot { fill: #fff; stroke: none; } svg .grid { stroke: #eaeef2; } svg .axis { stroke: #8c959f; }
svg .phase { fill: #eef2f7; } svg .phaseline { stroke: #8c959f; stroke-dasharray: 3 3; }
svg text { font: 11px system-ui, "DejaVu Sans", Arial, sans-serif; fill: #57606a; }
svg .ylabel { text-anchor: end; } svg .xlabel { text-anchor: middle; } svg .axistitle { text-anchor: middle; fill: #1b1f24; }
svg .band { fill: #eef2f7; } svg .zero { stroke: #8c959f; } svg .label { fill: #1b1f24; text-anchor: end; }
ul.legend { list-style: none; padding: 0; margin: 4px 0; display: flex; gap: 4px 16px; font-size: 12px; }
.swatch { display: inline-block; width: 14px; height: 3px; margin-right: 6px; vertical-align: middle; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
@media print { main { max-width: none; padding: 0; } tr, .verdict, figure { break-inside: avoid; } * { print-color-adjust: exact; -webkit-print-color-adjust: exact; } }
`

const COLOR = { worse: '#c62828', better: '#1a7f37', same: '#57606a' } as const

function badge(cls: string, text: string): string {
  return `<span class="badge ${h(cls)}">${h(text)}</span>`
}

export function renderCompareHtml(r: CompareResult, charts: readonly OverlayChart[] = []): string {
  const called = r.metrics.filter((m) => m.significant)
  const body = [
    `<header class="verdict ${r.verdict}"><h1>KalamDB Profiler compare</h1><p>${badge(r.verdict, VERDICT_LABEL[r.verdict])} ${h(r.summary)}</p></header>`,
    section(
      'Runs',
      `<table><thead><tr><th></th><th>Run</th><th>Details</th></tr></thead><tbody>` +
        `<tr><td>A</td><td><code>${h(r.a.label)}</code></td><td>${h(sideDetails(r.a))}</td></tr>` +
        `<tr><td>B</td><td><code>${h(r.b.label)}</code></td><td>${h(sideDetails(r.b))}</td></tr></tbody></table>`
    ),
    called.length > 0
      ? section(
          'Differences outside the noise',
          `<ul>${called.map((m) => `<li>${badge(m.direction, m.direction)} <strong>${h(m.name)}</strong>: ${h(formatInUnit(m.unit, m.a))} → ${h(formatInUnit(m.unit, m.b))} (${h(formatMetricChange(m))}). ${h(m.reason)}</li>`).join('\n')}</ul>`
        )
      : '',
    forest(r),
    section('All metrics', metricsTable(r)),
    `<p class="muted">Significance: p &lt; ${r.settings.alpha} and the 95% CI of the change clears ±${Math.round(r.settings.noise * 100)}% (memory: ${Math.round(r.settings.memoryNoise * 100)}% of the baseline).</p>`,
    r.notes.length > 0
      ? section('Notes', `<ul>${r.notes.map((n) => `<li>${h(n)}</li>`).join('')}</ul>`)
      : '',
    ...charts.map(chart),
    `<footer>Made by kalamdb-profiler on ${h(formatTime(Date.now()))}. The comparison is embedded as JSON: element <code>#kalam-profiler-compare</code>.</footer>`
  ]
    .filter(Boolean)
    .join('\n')
  const json = JSON.stringify(r)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${h(`KalamDB Profiler compare: ${VERDICT_LABEL[r.verdict]}`)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${body}
</main>
<script type="application/json" id="kalam-profiler-compare">${json}</script>
</body>
</html>
`
}

function section(title: string, inner: string): string {
  return `<section>\n<h2>${h(title)}</h2>\n${inner}\n</section>`
}

function metricsTable(r: CompareResult): string {
  const rows: string[] = []
  let group: string | null = null
  for (const m of r.metrics) {
    if (m.group !== group) {
      group = m.group
      rows.push(`<tr class="group"><td colspan="6">${h(GROUP_TITLE[m.group])}</td></tr>`)
    }
    const call = m.significant ? badge(m.direction, callOf(m)) : h(callOf(m))
    // The reason gets a row of its own (as in the session report): squeezed into a column
    // it wraps a word per line.
    const cls = m.significant ? ' class="sig"' : ''
    rows.push(
      `<tr${cls}><td>${h(m.name)}</td><td class="num">${h(formatInUnit(m.unit, m.a))}</td><td class="num">${h(formatInUnit(m.unit, m.b))}</td>` +
        `<td class="num">${h(formatMetricChange(m))}</td><td class="ci">${h(intervalText(m))}</td><td>${call}</td></tr>\n` +
        `<tr class="why${m.significant ? ' sig' : ''}"><td colspan="6">${h(m.reason)}</td></tr>`
    )
  }
  return `<table><thead><tr><th>Metric</th><th>A</th><th>B</th><th>Change</th><th>95% CI</th><th>Call</th></tr></thead><tbody>\n${rows.join('\n')}\n</tbody></table>`
}

/**
 * Forest plot: one row per metric with a relative change, its point and 95% interval on a
 * symmetric axis, the ±noise band shaded. Values beyond the axis are clamped and marked.
 */
function forest(r: CompareResult): string {
  const rows = r.metrics.filter(
    (m) => m.change !== null && m.counts !== false && m.unit !== 'bytes/min' && m.unit !== 'percent'
  )
  if (rows.length === 0) return ''
  const extent = Math.max(
    r.settings.noise * 2,
    ...rows
      .flatMap((m) => [Math.abs(m.change!), ...(m.changeCi95 ?? []).map(Math.abs)])
      .filter(Number.isFinite)
  )
  const R =
    Math.min(extent, 2) <= 0.5
      ? Math.ceil(Math.min(extent, 2) * 10) / 10
      : Math.ceil(Math.min(extent, 2) * 2) / 2
  const W = 900
  const left = 260
  const right = 20
  const rowH = 18
  const top = 20
  const H = top + rows.length * rowH + 30
  const PW = W - left - right
  const x = (v: number): number => left + ((Math.max(-R, Math.min(R, v)) + R) / (2 * R)) * PW
  const parts: string[] = [
    `<svg class="forest" viewBox="0 0 ${W} ${H}" role="img" aria-label="relative change of each metric with its 95% interval">`,
    `<rect class="band" x="${x(-r.settings.noise).toFixed(1)}" y="${top}" width="${(x(r.settings.noise) - x(-r.settings.noise)).toFixed(1)}" height="${rows.length * rowH}"/>`,
    `<line class="zero" x1="${x(0)}" x2="${x(0)}" y1="${top}" y2="${top + rows.length * rowH}"/>`
  ]
  rows.forEach((m, i) => {
    const y = top + i * rowH + rowH / 2
    const color = COLOR[m.direction]
    parts.push(`<text class="label" x="${left - 8}" y="${y}" dy="0.32em">${h(m.name)}</text>`)
    if (m.changeCi95) {
      parts.push(
        `<line x1="${x(m.changeCi95[0]).toFixed(1)}" x2="${x(m.changeCi95[1]).toFixed(1)}" y1="${y}" y2="${y}" stroke="${color}" stroke-width="2"/>`
      )
    }
    const clipped = Math.abs(m.change!) > R
    parts.push(
      `<circle cx="${x(m.change!).toFixed(1)}" cy="${y}" r="4" fill="${color}"><title>${h(`${m.name}: ${formatChange(m.change)}`)}</title></circle>`
    )
    if (clipped)
      parts.push(
        `<text x="${x(m.change!) + (m.change! > 0 ? -6 : 6)}" y="${y - 6}" class="xlabel">${h(formatChange(m.change))}</text>`
      )
  })
  const ticks = [-R, -R / 2, 0, R / 2, R]
  for (const t of ticks) {
    parts.push(
      `<text class="xlabel" x="${x(t).toFixed(1)}" y="${top + rows.length * rowH + 14}">${h(formatChange(t))}</text>`
    )
  }
  parts.push(
    `<text class="axistitle" x="${left + PW / 2}" y="${H - 2}">change from A to B (shaded: the ±${Math.round(r.settings.noise * 100)}% noise band; bands widened on a busy machine are in the notes)</text>`
  )
  parts.push('</svg>')
  return section('Changes at a glance', `<figure>${parts.join('\n')}</figure>`)
}

function chart(c: OverlayChart): string {
  const def = {
    id: c.id,
    title: c.title,
    unit: c.unit,
    series: c.series.map((s) => ({ key: s.label, label: s.label, points: s.points }))
  }
  const svg = renderSvgChart({
    chart: def,
    startT: 0,
    endT: c.spanMs,
    phases: [],
    markers: [],
    maxPoints: 2000
  })
  if (!svg) return ''
  return section(c.title, `<figure>${svg}${renderLegend(def)}</figure>`)
}
