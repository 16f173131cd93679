/**
 * The Markdown report: made to be pasted into a GitHub issue. Answer first (STYLE.md §15):
 * verdict in the title, criteria and findings, then charts (Mermaid `xychart-beta`, which
 * GitHub renders), then the details a maintainer needs to reproduce. Whatever the session's
 * length it stays under GitHub's 65,536-character issue-body limit: every list is capped,
 * charts have at most 100 points, and a final guard drops the least important sections.
 */
import { ATTRIBUTION_UNIT, BEFORE_FLUSH_NOTE, fitText } from '../../shared/analysis'
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatElapsed,
  formatMs,
  formatPercent
} from '../../shared/units'
import { formatBytesDelta, formatTime, truncate } from './format'
import { seriesByKey, type ReportModel } from './model'
import { bucketMeans, niceRange } from './series'
import { metricLabel, OUTCOME_LABEL, VERDICT_LABEL } from './words'

/** GitHub's issue-body limit. */
export const GITHUB_BODY_LIMIT = 65_536
/** What we aim under: room for a line the user adds, and UTF-16 vs code-point counting. */
export const MARKDOWN_BUDGET = 60_000
/** Points per Mermaid series: beyond ~100 GitHub's render is unreadable and the body grows. */
export const MERMAID_MAX_POINTS = 100

interface Section {
  id: string
  text: string
  /** Higher = dropped earlier when over budget; 0 = never dropped. */
  dropOrder: number
}

export function renderMarkdown(model: ReportModel): string {
  const sections: Section[] = [
    { id: 'head', text: head(model), dropOrder: 0 },
    { id: 'criteria', text: criteria(model), dropOrder: 0 },
    { id: 'findings', text: findings(model), dropOrder: 0 },
    { id: 'metrics', text: metrics(model), dropOrder: 5 },
    { id: 'charts', text: charts(model), dropOrder: 7 },
    { id: 'mappings', text: mappings(model), dropOrder: 6 },
    { id: 'latency', text: latency(model), dropOrder: 4 },
    { id: 'connections', text: connections(model), dropOrder: 8 },
    { id: 'workload', text: workload(model), dropOrder: 9 },
    { id: 'events', text: events(model), dropOrder: 10 },
    { id: 'environment', text: environment(model), dropOrder: 0 },
    { id: 'scenario', text: scenario(model), dropOrder: 3 },
    { id: 'reproduce', text: reproduce(model), dropOrder: 0 },
    { id: 'footer', text: footer(model), dropOrder: 0 }
  ].filter((s) => s.text !== '')
  return fitBudget(sections, MARKDOWN_BUDGET)
}

function fitBudget(sections: Section[], budget: number): string {
  const join = (): string => sections.map((s) => s.text.trimEnd()).join('\n\n') + '\n'
  let text = join()
  const droppable = sections
    .filter((s) => s.dropOrder > 0)
    .sort((a, b) => b.dropOrder - a.dropOrder)
  for (const s of droppable) {
    if (text.length <= budget) break
    s.text = `_(${s.id} left out to stay within GitHub's size limit: see the HTML or JSON report.)_`
    text = join()
  }
  if (text.length > budget) {
    const tail =
      "\n\n_(report cut here to stay within GitHub's size limit: see the HTML or JSON report.)_\n"
    text = text.slice(0, budget - tail.length) + tail
  }
  return text
}

/** Table cell text: one line, no pipe or HTML, bounded. */
function cell(text: string, max = 300): string {
  return escapeInline(truncate(text.replace(/\s*\n\s*/g, ' '), max)).replace(/\|/g, '\\|')
}

/** Running text: no raw HTML. */
function escapeInline(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

function code(text: string, max = 200): string {
  return `\`${truncate(text, max).replace(/`/g, "'").replace(/\|/g, '\\|')}\``
}

function table(header: string[], rows: string[][]): string {
  const lines = [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`]
  for (const r of rows) lines.push(`| ${r.join(' | ')} |`)
  return lines.join('\n')
}

/** At most `max` items, with a line saying how many were left out. */
function capped<T>(items: readonly T[], max: number): { shown: readonly T[]; more: string } {
  return items.length <= max
    ? { shown: items, more: '' }
    : {
        shown: items.slice(0, max),
        more: `\n\n… and ${items.length - max} more (see the JSON report).`
      }
}

function head(m: ReportModel): string {
  return `# KalamDB Profiler: ${escapeInline(m.title)}\n\n**${m.statusLabel}.** ${escapeInline(truncate(m.summary, 2000))}`
}

function criteria(m: ReportModel): string {
  if (m.criteria.length === 0) return '## Criteria\n\nNo pass criteria were set for this run.'
  const { shown, more } = capped(m.criteria, 40)
  return (
    '## Criteria\n\n' +
    table(
      ['Criterion', 'Threshold', 'Measured', 'Result', 'Why'],
      shown.map((c) => [
        cell(c.name, 150),
        cell(c.threshold, 100),
        cell(c.measured, 60),
        c.outcome === 'fail'
          ? `**${OUTCOME_LABEL.fail}**`
          : c.outcome === 'pass'
            ? OUTCOME_LABEL.pass
            : `_${OUTCOME_LABEL['not measurable']}_`,
        cell(c.reason, 300)
      ])
    ) +
    more
  )
}

function findings(m: ReportModel): string {
  if (m.findings.length === 0) return '## Findings\n\nThe analysis found nothing to report.'
  const { shown, more } = capped(m.findings, 25)
  const tag = { problem: '**Problem:**', warning: '**Warning:**', info: 'Note:' } as const
  return (
    '## Findings\n\n' +
    shown
      .map((f) => `- ${tag[f.severity] ?? ''} ${escapeInline(truncate(f.text, 600))}`)
      .join('\n') +
    more
  )
}

function metrics(m: ReportModel): string {
  if (m.metrics.length === 0 && m.attribution.length === 0) return ''
  const parts = ['## Memory']
  if (m.metrics.length > 0)
    parts.push(
      table(
        ['Metric', 'Verdict', 'Baseline', 'Final', 'Growth', 'Slope', 'Released after load', 'Why'],
        m.metrics.map((r) => [
          metricLabel(r.field),
          r.verdict === 'leak' ? `**${VERDICT_LABEL.leak}**` : VERDICT_LABEL[r.verdict],
          formatBytes(r.baselineBytes),
          formatBytes(r.finalBytes),
          formatPercent(r.growthPercent),
          `${formatBytesDelta(r.slopeBytesPerMin)}/min`,
          r.releasedPercent === null ? '—' : formatPercent(r.releasedPercent),
          cell(r.reason, 300)
        ])
      )
    )
  if (m.attribution.length > 0) {
    parts.push('What memory grows with:')
    parts.push(
      m.attribution
        .slice(0, 10)
        .map(
          (a) =>
            `- ${metricLabel(String(a.metric))}: ${formatBytesDelta(a.bytesPerUnit)} per ${ATTRIBUTION_UNIT[a.per] ?? a.per}` +
            ` (95% CI ${formatBytes(a.ci95[0])} to ${formatBytes(a.ci95[1])}, r² ${fitText(a)})` +
            (a.beforeFlush ? `, ${BEFORE_FLUSH_NOTE}` : '')
        )
        .join('\n')
    )
  }
  return parts.join('\n\n')
}

function phaseLine(m: ReportModel): string {
  if (m.phases.length === 0) return ''
  const spans = m.phases
    .slice(0, 30)
    .map(
      (p) =>
        `${escapeInline(truncate(p.name, 40))} ${formatElapsed(p.from - m.startT)}–${formatElapsed(p.to - m.startT)}`
    )
  return `Phases (elapsed m:ss): ${spans.join(' · ')}${m.phases.length > 30 ? ' · …' : ''}`
}

/** The Markdown charts: one per metric, because xychart-beta draws no legend. */
const MD_CHARTS: { key: string; title: string; unit: 'bytes' | 'percent' }[] = [
  { key: 'rssBytes', title: 'RSS', unit: 'bytes' },
  { key: 'heapBytes', title: 'Heap (RssAnon)', unit: 'bytes' },
  { key: 'fileMappedBytes', title: 'File-mapped (RssFile)', unit: 'bytes' },
  { key: 'cpuPercent', title: 'CPU (100% = one core)', unit: 'percent' }
]

function charts(m: ReportModel): string {
  const blocks: string[] = []
  for (const c of MD_CHARTS) {
    const s = seriesByKey(m, c.key)
    if (!s || s.points.length === 0) continue
    blocks.push(
      mermaidChart(
        c.title,
        c.unit,
        bucketMeans(s.points, m.startT, m.endT, Math.min(MERMAID_MAX_POINTS, s.points.length)),
        m.durationMs
      )
    )
  }
  if (blocks.length === 0) return ''
  const phases = phaseLine(m)
  return ['## Over time', ...(phases ? [phases] : []), ...blocks].join('\n\n')
}

/** One `xychart-beta` block: a line over elapsed time, y in a unit that reads well. */
export function mermaidChart(
  title: string,
  unit: 'bytes' | 'percent' | 'count',
  values: readonly number[],
  durationMs: number
): string {
  const max = Math.max(...values)
  const min = Math.min(...values)
  const scale =
    unit === 'bytes' ? byteScale(max) : { div: 1, name: unit === 'percent' ? '%' : 'count' }
  const scaled = values.map((v) => v / scale.div)
  const range = niceRange(min / scale.div, max / scale.div, 5)
  const digits = range.step >= 10 ? 0 : range.step >= 1 ? 1 : 2
  const minutes = durationMs >= 180_000
  const xMax = minutes ? durationMs / 60_000 : durationMs / 1000
  const q = (s: string): string => s.replace(/"/g, "'")
  return [
    '```mermaid',
    'xychart-beta',
    `  title "${q(title)}"`,
    `  x-axis "elapsed (${minutes ? 'min' : 's'})" 0 --> ${round(Math.max(xMax, 0.1), 1)}`,
    `  y-axis "${q(scale.name)}" ${round(range.min, digits)} --> ${round(range.max, digits)}`,
    `  line [${scaled.map((v) => round(v, digits + 1)).join(', ')}]`,
    '```'
  ].join('\n')
}

function round(v: number, digits: number): string {
  const r = Number(v.toFixed(digits))
  return String(Object.is(r, -0) ? 0 : r)
}

function byteScale(max: number): { div: number; name: string } {
  if (max >= 10 * 1024 ** 3) return { div: 1024 ** 3, name: 'GiB' }
  if (max >= 10 * 1024 ** 2) return { div: 1024 ** 2, name: 'MiB' }
  return { div: 1024, name: 'KiB' }
}

function mappings(m: ReportModel): string {
  const d = m.snapshotDiff
  if (!d) {
    if (m.snapshotLabels.length === 0) return ''
    return `## Memory map\n\n${m.snapshotLabels.length} snapshot(s) recorded (${cell(m.snapshotLabels.slice(0, 5).join(', '), 500)}); no diff of two snapshots is available.`
  }
  const head = `## Top growing mappings\n\nBetween the first snapshot (${formatTime(d.beforeT)}) and the last (${formatTime(d.afterT)}), resident memory changed by ${formatBytesDelta(d.totalDeltaRssBytes)}.`
  if (m.topMappings.length === 0) return `${head} No mapping grew.`
  return (
    `${head}\n\n` +
    table(
      ['Mapping', 'Kind', 'Before', 'After', 'Δ RSS', 'Δ %'],
      m.topMappings.map((r) => [
        code(r.key, 120),
        r.dataLabel ? `${r.kind} (${r.dataLabel})` : r.kind,
        formatBytes(r.beforeRssBytes),
        formatBytes(r.afterRssBytes),
        formatBytesDelta(r.deltaRssBytes),
        r.deltaPercent === null ? r.status : formatPercent(r.deltaPercent)
      ])
    )
  )
}

function latency(m: ReportModel): string {
  if (m.latency.length === 0) return ''
  const { shown, more } = capped(m.latency, 20)
  const opt = (v: number | null): string => (v === null ? '—' : formatMs(v))
  return (
    '## Latency\n\n' +
    table(
      ['Operation', 'Count', 'p50', 'p90', 'p95', 'p99', 'p99.9', 'max'],
      shown.map((l) => [
        cell(l.operation, 60),
        formatCount(l.count),
        formatMs(l.p50Ms),
        opt(l.p90Ms),
        formatMs(l.p95Ms),
        formatMs(l.p99Ms),
        opt(l.p999Ms),
        formatMs(l.maxMs)
      ])
    ) +
    more
  )
}

function connections(m: ReportModel): string {
  const c = m.connections
  const cpu = m.cpu
  const parts: string[] = []
  if (cpu)
    parts.push(
      `CPU: average ${formatPercent(cpu.averagePercent)}, peak ${formatPercent(cpu.peakPercent)} of one core.`
    )
  if (c) {
    const v = (x: number | null): string => (x === null ? 'unknown' : formatCount(x))
    parts.push(
      `Connections at the end: the workload expected ${v(c.expected)}, the server's port held ${v(c.sockets)} sockets, the server reported ${v(c.serverReported)} WebSocket sessions` +
        (c.stale ? ' — **they disagree: stale connections**.' : '.')
    )
  }
  return parts.length > 0 ? `## CPU and connections\n\n${parts.join('\n\n')}` : ''
}

function workload(m: ReportModel): string {
  if (m.counters.length === 0) return ''
  return (
    '## Workload totals\n\n' +
    table(
      ['Counter', 'Total'],
      m.counters.map(([k, v]) => [k, v])
    )
  )
}

function events(m: ReportModel): string {
  const e = m.events
  const parts: string[] = []
  if (e.crash)
    parts.push(
      `**The target exited** at ${formatElapsed(e.crash.t - m.startT)} (pid ${e.crash.pid}): ${cell(e.crash.message, 500)}`
    )
  if (e.flushes.total > 0) {
    const by = e.flushes.byStatus.map(([s, n]) => `${n} ${s}`).join(', ')
    parts.push(
      `Flushes: ${e.flushes.total} (${by})` +
        (e.flushes.meanMs !== null
          ? `, mean ${formatMs(e.flushes.meanMs)}, max ${formatMs(e.flushes.maxMs ?? 0)}`
          : '') +
        '.'
    )
    const { shown, more } = capped(e.flushes.notCompleted, 10)
    if (shown.length > 0)
      parts.push(
        table(
          ['At', 'Table', 'Status', 'Message'],
          shown.map((f) => [
            formatElapsed(f.t - m.startT),
            code(f.table, 80),
            f.status,
            cell(f.message, 200)
          ])
        ) + more
      )
  }
  if (e.errors.length > 0) {
    const { shown, more } = capped(e.errors, 15)
    parts.push(
      'Errors:\n\n' +
        table(
          ['Source', 'Code', 'HTTP', 'Count', 'First message'],
          shown.map((g) => [
            cell(g.source, 40),
            code(g.code, 60),
            g.httpStatus === null ? '—' : String(g.httpStatus),
            formatCount(g.count),
            cell(g.message, 200)
          ])
        ) +
        more
    )
  }
  if (e.disconnects.expected + e.disconnects.unexpected > 0) {
    const groups = e.disconnects.groups
      .slice(0, 10)
      .map((g) => `${g.count}× code ${g.code}${g.reason ? ` "${cell(g.reason, 100)}"` : ''}`)
      .join(', ')
    parts.push(
      `WebSocket disconnects: ${e.disconnects.unexpected} unexpected, ${e.disconnects.expected} closed by the profiler` +
        (groups ? ` (${groups})` : '') +
        '.'
    )
  }
  if (e.warnings.length > 0) {
    const { shown, more } = capped(e.warnings, 10)
    parts.push(
      'Warnings:\n\n' +
        shown.map((w) => `- ${formatElapsed(w.t - m.startT)} ${cell(w.message, 300)}`).join('\n') +
        more
    )
  }
  if (e.markers.length > 0) {
    const { shown, more } = capped(e.markers, 10)
    parts.push(
      'Markers:\n\n' +
        shown.map((w) => `- ${formatElapsed(w.t - m.startT)} ${cell(w.label, 200)}`).join('\n') +
        more
    )
  }
  return parts.length > 0 ? `## Events\n\n${parts.join('\n\n')}` : ''
}

function environment(m: ReportModel): string {
  return (
    '## Environment\n\n' +
    table(
      ['What', 'Value'],
      m.environment.map(([k, v]) => [k, cell(v, 200)])
    )
  )
}

function scenario(m: ReportModel): string {
  const head = `## Scenario\n\n${code(m.scenario, 80)}, ${formatDuration(m.durationMs)}.`
  if (m.parameters.length === 0) return `${head} No parameters were recorded.`
  const { shown, more } = capped(m.parameters, 40)
  return (
    `${head}\n\n` +
    table(
      ['Parameter', 'Value'],
      shown.map(([k, v]) => [code(k, 60), cell(v, 200)])
    ) +
    more
  )
}

function reproduce(m: ReportModel): string {
  return `## Reproduce\n\n\`\`\`sh\n${m.reproduce.command.replace(/```/g, "'''")}\n\`\`\`\n\n${escapeInline(m.reproduce.note)}`
}

function footer(m: ReportModel): string {
  return `<sub>Made by kalamdb-profiler ${escapeInline(m.profilerVersion)} on ${formatTime(m.generatedAt)}. Full data: the HTML, JSON and CSV reports of the same session.</sub>`
}
