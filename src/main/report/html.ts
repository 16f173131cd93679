/**
 * The HTML report: one self-contained file a maintainer can open offline or print. Inline CSS,
 * inline SVG charts drawn by us, no script, font, image or stylesheet fetched from anywhere (a
 * CSP meta forbids it even if something slipped in), and the full JSON report embedded as an
 * inert data block so the file carries its own raw data (STYLE.md §15, Clinic Doctor's HTML).
 */
import { ATTRIBUTION_UNIT, BEFORE_FLUSH_TAG, fitText } from '../../shared/analysis'
import { MAPPING_KINDS } from '../../shared/snapshot'
import {
  formatBytes,
  formatBytesBound,
  formatCount,
  formatDuration,
  formatElapsed,
  formatMs,
  formatPercent
} from '../../shared/units'
import { escapeHtml as h, formatBytesDelta, formatTime } from './format'
import type { ReportModel } from './model'
import { renderLegend, renderSvgChart } from './svg'
import { metricLabel, OUTCOME_LABEL, VERDICT_LABEL } from './words'

export interface HtmlOptions {
  /** Points per chart series; min/max decimation keeps peaks. Default 4000. */
  maxChartPoints?: number
  /** The JSON report to embed (already serialized), or null to leave it out. */
  embeddedJson?: string | null
}

export const DEFAULT_CHART_POINTS = 4000

export function renderHtml(m: ReportModel, options: HtmlOptions = {}): string {
  const maxPoints = options.maxChartPoints ?? DEFAULT_CHART_POINTS
  const body = [
    header(m),
    criteria(m),
    findings(m),
    memory(m),
    charts(m, maxPoints),
    mappings(m),
    latency(m),
    cpuAndConnections(m),
    workload(m),
    events(m),
    environment(m),
    scenario(m),
    reproduce(m),
    `<footer>Made by kalamdb-profiler ${h(m.profilerVersion)} on ${h(formatTime(m.generatedAt))}.${options.embeddedJson ? ' The complete session (samples, events, histograms, snapshots, analysis) is embedded in this file as JSON: element <code>#kalam-profiler-data</code>.' : ''}</footer>`
  ]
    .filter(Boolean)
    .join('\n')
  const data = options.embeddedJson
    ? `\n<script type="application/json" id="kalam-profiler-data">${escapeScriptJson(options.embeddedJson)}</script>`
    : ''
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${h(`KalamDB Profiler: ${m.title}`)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
${body}
</main>${data}
</body>
</html>
`
}

/** JSON inside a script element must not contain `</script` or `<!--`; \u003c keeps it valid JSON. */
function escapeScriptJson(json: string): string {
  return json
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
}

const CSS = `
:root { --fg:#1b1f24; --muted:#57606a; --line:#d0d7de; --bg:#fff; --pass:#1a7f37; --fail:#c62828; --warn:#9a6700; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif; }
main { max-width: 1000px; margin: 0 auto; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 6px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
h3 { font-size: 14px; margin: 16px 0 4px; }
.verdict { border-left: 6px solid var(--muted); padding: 10px 14px; background: #f6f8fa; }
.verdict.passed { border-color: var(--pass); } .verdict.failed, .verdict.target-crashed, .verdict.error { border-color: var(--fail); }
.verdict.interrupted { border-color: var(--warn); }
.badge { display: inline-block; white-space: nowrap; font-weight: 700; padding: 1px 8px; border-radius: 10px; color: #fff; background: var(--muted); }
.badge.passed, .badge.pass { background: var(--pass); } .badge.failed, .badge.fail, .badge.target-crashed, .badge.error, .badge.leak { background: var(--fail); }
.badge.interrupted, .badge.not-measurable, .badge.inconclusive { background: var(--warn); } .badge.stable { background: var(--pass); }
table { border-collapse: collapse; width: 100%; margin: 6px 0; font-size: 13px; }
th, td { border: 1px solid var(--line); padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #f6f8fa; } td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
code, pre { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12px; }
pre { background: #f6f8fa; border: 1px solid var(--line); padding: 8px; white-space: pre-wrap; word-break: break-all; }
td code { word-break: break-all; }
ul.findings li.problem { color: var(--fail); } ul.findings li.warning { color: var(--warn); }
ul.findings li span { color: var(--fg); }
figure { margin: 12px 0; } figcaption { color: var(--muted); font-size: 12px; }
svg.chart { width: 100%; height: auto; display: block; }
svg .plot { fill: #fff; stroke: none; } svg .grid { stroke: #eaeef2; } svg .axis { stroke: #8c959f; }
svg .phase { fill: #eef2f7; } svg .phaseline { stroke: #8c959f; stroke-dasharray: 3 3; }
svg text { font: 11px system-ui, "DejaVu Sans", Arial, sans-serif; fill: #57606a; }
svg .ylabel { text-anchor: end; } svg .xlabel { text-anchor: middle; } svg .axistitle { text-anchor: middle; fill: #1b1f24; }
svg .phaselabel { fill: #1b1f24; }
ul.legend { list-style: none; padding: 0; margin: 4px 0; display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: 12px; }
.swatch { display: inline-block; width: 14px; height: 3px; margin-right: 6px; vertical-align: middle; }
.muted { color: var(--muted); }
tr.why td { border-top: none; color: var(--muted); padding-top: 0; }
table.metrics tr:not(.why) td { border-bottom: none; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { font-size: 11px; } main { max-width: none; padding: 0; } table { font-size: 10.5px; }
  h2, h3 { break-after: avoid; } figure, tr, .verdict, pre { break-inside: avoid; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`

function section(id: string, title: string, inner: string): string {
  return `<section id="${id}">\n<h2>${h(title)}</h2>\n${inner}\n</section>`
}

function table(header: string[], rows: string[][], numeric: number[] = []): string {
  const head = `<tr>${header.map((c) => `<th>${h(c)}</th>`).join('')}</tr>`
  const body = rows
    .map(
      (r) =>
        `<tr>${r.map((c, i) => (numeric.includes(i) ? `<td class="num">${c}</td>` : `<td>${c}</td>`)).join('')}</tr>`
    )
    .join('\n')
  return `<table>\n<thead>${head}</thead>\n<tbody>\n${body}\n</tbody>\n</table>`
}

function badge(cls: string, text: string): string {
  return `<span class="badge ${cls.replace(/\s+/g, '-')}">${h(text)}</span>`
}

function header(m: ReportModel): string {
  return `<header class="verdict ${m.status}">
<h1>KalamDB Profiler: ${h(m.title)}</h1>
<p>${badge(m.status, m.statusLabel)} ${h(m.summary)}</p>
</header>`
}

function criteria(m: ReportModel): string {
  if (m.criteria.length === 0)
    return section('criteria', 'Criteria', '<p>No pass criteria were set for this run.</p>')
  return section(
    'criteria',
    'Criteria',
    table(
      ['Criterion', 'Threshold', 'Measured', 'Result', 'Why'],
      m.criteria.map((c) => [
        h(c.name),
        h(c.threshold),
        h(c.measured),
        badge(c.outcome, OUTCOME_LABEL[c.outcome]),
        h(c.reason)
      ]),
      [2]
    )
  )
}

function findings(m: ReportModel): string {
  if (m.findings.length === 0)
    return section('findings', 'Findings', '<p>The analysis found nothing to report.</p>')
  const label = { problem: 'Problem', warning: 'Warning', info: 'Note' } as const
  return section(
    'findings',
    'Findings',
    `<ul class="findings">${m.findings
      .map(
        (f) =>
          `<li class="${f.severity}"><strong>${label[f.severity] ?? ''}:</strong> <span>${h(f.text)}</span></li>`
      )
      .join('\n')}</ul>`
  )
}

function memory(m: ReportModel): string {
  if (m.metrics.length === 0 && m.attribution.length === 0) return ''
  const parts: string[] = []
  if (m.metrics.length > 0) {
    // The reason gets a row of its own: squeezed into a column it wraps a word per line.
    const rows = m.metrics.map(
      (r) =>
        `<tr><td>${h(metricLabel(r.field))}</td><td>${badge(r.verdict, VERDICT_LABEL[r.verdict])}</td>` +
        `<td class="num">${h(formatBytes(r.baselineBytes))}</td><td class="num">${h(formatBytes(r.finalBytes))}</td>` +
        `<td class="num">${formatPercent(r.growthPercent)}</td>` +
        `<td class="num">${h(formatBytesDelta(r.slopeBytesPerMin))}/min<br><span class="muted">95% CI ${h(formatBytesBound(r.slopeCi95[0]))} to ${h(formatBytesBound(r.slopeCi95[1]))}</span></td>` +
        `<td class="num">${r.releasedPercent === null ? '—' : formatPercent(r.releasedPercent)}</td></tr>\n` +
        `<tr class="why"><td colspan="7">${h(r.reason)}</td></tr>`
    )
    const head = [
      'Metric',
      'Verdict',
      'Baseline',
      'Final',
      'Growth',
      'Slope',
      'Released after load'
    ]
    parts.push(
      `<table class="metrics">\n<thead><tr>${head.map((c) => `<th>${h(c)}</th>`).join('')}</tr></thead>\n<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`
    )
  }
  if (m.attribution.length > 0)
    parts.push(
      '<h3>What memory grows with</h3>' +
        table(
          ['Metric', 'Per', 'Bytes per unit', '95% CI', 'r²'],
          m.attribution.map((a) => [
            h(metricLabel(String(a.metric))),
            h((ATTRIBUTION_UNIT[a.per] ?? a.per) + (a.beforeFlush ? ` (${BEFORE_FLUSH_TAG})` : '')),
            h(formatBytesDelta(a.bytesPerUnit)),
            `${h(formatBytes(a.ci95[0]))} to ${h(formatBytes(a.ci95[1]))}`,
            h(fitText(a))
          ]),
          [2, 3, 4]
        )
    )
  return section('memory', 'Memory', parts.join('\n'))
}

function charts(m: ReportModel, maxPoints: number): string {
  if (m.charts.length === 0) return ''
  const phases =
    m.phases.length > 0
      ? `Shaded bands and dashed lines are the phases: ${m.phases
          .map(
            (p) =>
              `${h(p.name)} ${formatElapsed(p.from - m.startT)}–${formatElapsed(p.to - m.startT)}`
          )
          .join(' · ')}. `
      : ''
  const ticks =
    m.markers.length > 0
      ? 'Short ticks at the bottom mark flushes, snapshots and markers; full-height orange lines are failed flushes, red ones the target exiting (hover for labels).'
      : ''
  const intro = phases || ticks ? `<p class="muted">${phases}${ticks}</p>` : ''
  const figures = m.charts.map((c) => {
    const n = Math.max(...c.series.map((s) => s.points.length))
    const note =
      n > maxPoints
        ? `${formatCount(n)} samples per series, drawn as at most ${formatCount(maxPoints)} points that keep each time bucket's minimum and maximum.`
        : `All ${formatCount(n)} samples drawn.`
    return `<figure>
<h3>${h(c.title)}</h3>
${renderLegend(c)}
${renderSvgChart({ chart: c, startT: m.startT, endT: m.endT, phases: m.phases, markers: m.markers, maxPoints })}
<figcaption>${note}</figcaption>
</figure>`
  })
  return section('charts', 'Over time', intro + figures.join('\n'))
}

function mappings(m: ReportModel): string {
  const d = m.snapshotDiff
  if (!d) {
    if (m.snapshotLabels.length === 0) return ''
    return section(
      'mappings',
      'Memory map',
      `<p>${m.snapshotLabels.length} snapshot(s) recorded (${h(m.snapshotLabels.join(', '))}); no diff of two snapshots is available.</p>`
    )
  }
  const intro = `<p>Between the first snapshot (${h(formatTime(d.beforeT))}) and the last (${h(formatTime(d.afterT))}), resident memory changed by <strong>${h(formatBytesDelta(d.totalDeltaRssBytes))}</strong>.</p>`
  const kinds = table(
    ['Kind', 'Δ RSS', 'Δ %'],
    MAPPING_KINDS.filter((k) => d.byKind[k] && d.byKind[k].deltaRssBytes !== 0).map((k) => [
      h(k),
      h(formatBytesDelta(d.byKind[k].deltaRssBytes)),
      d.byKind[k].deltaPercent === null ? 'new' : formatPercent(d.byKind[k].deltaPercent)
    ]),
    [1, 2]
  )
  const top =
    m.topMappings.length === 0
      ? '<p>No mapping grew.</p>'
      : table(
          ['Mapping', 'Kind', 'Before', 'After', 'Δ RSS', 'Δ %'],
          m.topMappings.map((r) => [
            `<code>${h(r.key)}</code>`,
            h(r.dataLabel ? `${r.kind} (${r.dataLabel})` : r.kind),
            h(formatBytes(r.beforeRssBytes)),
            h(formatBytes(r.afterRssBytes)),
            h(formatBytesDelta(r.deltaRssBytes)),
            r.deltaPercent === null ? h(r.status) : formatPercent(r.deltaPercent)
          ]),
          [2, 3, 4, 5]
        )
  return section(
    'mappings',
    'Top growing mappings',
    `${intro}\n<h3>By kind</h3>\n${kinds}\n<h3>By mapping</h3>\n${top}`
  )
}

function latency(m: ReportModel): string {
  if (m.latency.length === 0) return ''
  const opt = (v: number | null): string => (v === null ? '—' : h(formatMs(v)))
  return section(
    'latency',
    'Latency',
    table(
      ['Operation', 'Count', 'p50', 'p90', 'p95', 'p99', 'p99.9', 'max'],
      m.latency.map((l) => [
        h(l.operation),
        formatCount(l.count),
        h(formatMs(l.p50Ms)),
        opt(l.p90Ms),
        h(formatMs(l.p95Ms)),
        h(formatMs(l.p99Ms)),
        opt(l.p999Ms),
        h(formatMs(l.maxMs))
      ]),
      [1, 2, 3, 4, 5, 6, 7]
    )
  )
}

function cpuAndConnections(m: ReportModel): string {
  const parts: string[] = []
  if (m.cpu)
    parts.push(
      `<p>CPU: average ${formatPercent(m.cpu.averagePercent)}, peak ${formatPercent(m.cpu.peakPercent)} of one core.</p>`
    )
  const c = m.connections
  if (c) {
    const v = (x: number | null): string => (x === null ? 'unknown' : formatCount(x))
    parts.push(
      table(
        [
          'Expected by the workload',
          'Sockets on the server port',
          'WebSocket sessions (server)',
          'Stale'
        ],
        [[v(c.expected), v(c.sockets), v(c.serverReported), c.stale ? badge('fail', 'yes') : 'no']],
        [0, 1, 2]
      )
    )
  }
  return parts.length > 0 ? section('connections', 'CPU and connections', parts.join('\n')) : ''
}

function workload(m: ReportModel): string {
  if (m.counters.length === 0) return ''
  return section(
    'workload',
    'Workload totals',
    table(
      ['Counter', 'Total'],
      m.counters.map(([k, v]) => [h(k), h(v)]),
      [1]
    )
  )
}

function events(m: ReportModel): string {
  const e = m.events
  const at = (t: number): string => h(formatElapsed(t - m.startT))
  const parts: string[] = []
  if (e.crash)
    parts.push(
      `<p><strong>The target exited</strong> at ${at(e.crash.t)} (pid ${e.crash.pid}): ${h(e.crash.message)}</p>`
    )
  if (e.flushes.total > 0) {
    parts.push(
      `<p>Flushes: ${e.flushes.total} (${h(e.flushes.byStatus.map(([s, n]) => `${n} ${s}`).join(', '))})` +
        (e.flushes.meanMs !== null
          ? `, mean ${h(formatMs(e.flushes.meanMs))}, max ${h(formatMs(e.flushes.maxMs ?? 0))}`
          : '') +
        '.</p>'
    )
    if (e.flushes.notCompleted.length > 0)
      parts.push(
        table(
          ['At', 'Table', 'Status', 'Message'],
          e.flushes.notCompleted
            .slice(0, 200)
            .map((f) => [at(f.t), `<code>${h(f.table)}</code>`, h(f.status), h(f.message)])
        )
      )
  }
  if (e.errors.length > 0)
    parts.push(
      '<h3>Errors</h3>' +
        table(
          ['Source', 'Code', 'HTTP', 'Count', 'First message'],
          e.errors.map((g) => [
            h(g.source),
            `<code>${h(g.code)}</code>`,
            g.httpStatus === null ? '—' : String(g.httpStatus),
            formatCount(g.count),
            h(g.message)
          ]),
          [3]
        )
    )
  if (e.disconnects.expected + e.disconnects.unexpected > 0)
    parts.push(
      `<p>WebSocket disconnects: ${e.disconnects.unexpected} unexpected, ${e.disconnects.expected} closed by the profiler${
        e.disconnects.groups.length > 0
          ? ` (${h(e.disconnects.groups.map((g) => `${g.count}× code ${g.code}${g.reason ? ` "${g.reason}"` : ''}`).join(', '))})`
          : ''
      }.</p>`
    )
  if (e.warnings.length > 0)
    parts.push(
      '<h3>Warnings</h3><ul>' +
        e.warnings
          .slice(0, 200)
          .map((w) => `<li>${at(w.t)} ${h(w.message)}</li>`)
          .join('') +
        '</ul>'
    )
  if (e.markers.length > 0)
    parts.push(
      '<h3>Markers</h3><ul>' +
        e.markers
          .slice(0, 200)
          .map((w) => `<li>${at(w.t)} ${h(w.label)}</li>`)
          .join('') +
        '</ul>'
    )
  return parts.length > 0 ? section('events', 'Events', parts.join('\n')) : ''
}

function environment(m: ReportModel): string {
  return section(
    'environment',
    'Environment',
    `<table><tbody>${m.environment.map(([k, v]) => `<tr><th>${h(k)}</th><td>${h(v)}</td></tr>`).join('\n')}</tbody></table>`
  )
}

function scenario(m: ReportModel): string {
  const head = `<p><code>${h(m.scenario)}</code>, ${h(formatDuration(m.durationMs))}.</p>`
  if (m.parameters.length === 0)
    return section('scenario', 'Scenario', `${head}<p>No parameters were recorded.</p>`)
  return section(
    'scenario',
    'Scenario',
    head +
      table(
        ['Parameter', 'Value'],
        m.parameters.map(([k, v]) => [`<code>${h(k)}</code>`, h(v)])
      )
  )
}

function reproduce(m: ReportModel): string {
  return section(
    'reproduce',
    'Reproduce',
    `<pre>${h(m.reproduce.command)}</pre>\n<p class="muted">${h(m.reproduce.note)}</p>`
  )
}
