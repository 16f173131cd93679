/**
 * The comparison as Markdown for a GitHub issue or PR, in the session report's style:
 * verdict in the title, the differences that count, then every metric with its interval and
 * the reason of its call, caveats, and (sessions) memory of A and B over elapsed time as
 * Mermaid charts.
 */
import type { CompareMetric, CompareResult } from '../../shared/compare'
import { formatInUnit } from '../../shared/units'
import { formatTime, truncate } from '../report/format'
import { bucketMeans, niceRange } from '../report/series'
import type { OverlayChart } from './charts'
import { callOf, sideDetails } from './render-text'
import { VERDICT_LABEL, formatChange, formatMetricChange } from './words'

const MERMAID_POINTS = 100

function cell(text: string): string {
  return truncate(text.replace(/\s*\n\s*/g, ' '), 400)
    .replace(/[<>]/g, (c) => (c === '<' ? '&lt;' : '&gt;'))
    .replace(/\|/g, '\\|')
}

export function intervalText(m: CompareMetric): string {
  if (m.changeCi95) return `${formatChange(m.changeCi95[0])} … ${formatChange(m.changeCi95[1])}`
  if (m.a95 && m.b95) {
    return `A ${formatInUnit(m.unit, m.a95[0])}–${formatInUnit(m.unit, m.a95[1])}; B ${formatInUnit(m.unit, m.b95[0])}–${formatInUnit(m.unit, m.b95[1])}`
  }
  return '—'
}

export function renderCompareMarkdown(
  r: CompareResult,
  charts: readonly OverlayChart[] = []
): string {
  const out: string[] = []
  out.push(`# KalamDB Profiler compare: ${VERDICT_LABEL[r.verdict]}`)
  out.push(`**${cell(r.summary)}**`)
  out.push(
    [
      '| | Run | |',
      '|---|---|---|',
      `| A | \`${cell(r.a.label)}\` | ${cell(sideDetails(r.a))} |`,
      `| B | \`${cell(r.b.label)}\` | ${cell(sideDetails(r.b))} |`
    ].join('\n')
  )
  const called = r.metrics.filter((m) => m.significant)
  if (called.length > 0) {
    out.push('## Differences outside the noise')
    out.push(
      called
        .map(
          (m) =>
            `- **${cell(m.name)}** (${m.direction}): ${cell(formatInUnit(m.unit, m.a))} → ${cell(formatInUnit(m.unit, m.b))}, ${cell(formatMetricChange(m))}. ${cell(m.reason)}`
        )
        .join('\n')
    )
  }
  out.push('## All metrics')
  const rows = r.metrics.map(
    (m) =>
      `| ${cell(m.name)} | ${cell(formatInUnit(m.unit, m.a))} | ${cell(formatInUnit(m.unit, m.b))} | ${cell(formatMetricChange(m))} | ${cell(intervalText(m))} | ${m.significant ? `**${callOf(m)}**` : callOf(m)} | ${cell(m.reason)} |`
  )
  out.push(
    [
      '| Metric | A | B | Change | 95% CI | Call | Why |',
      '|---|--:|--:|--:|---|---|---|',
      ...rows
    ].join('\n')
  )
  out.push(
    `_Significance: p < ${r.settings.alpha} and the 95% CI of the change clears ±${Math.round(r.settings.noise * 100)}% (memory: ${Math.round(r.settings.memoryNoise * 100)}% of the baseline). Tests per metric are in the JSON (\`compare --json\`)._`
  )
  if (r.notes.length > 0) {
    out.push('## Notes')
    out.push(r.notes.map((n) => `- ${cell(n)}`).join('\n'))
  }
  for (const c of charts) {
    const block = mermaidOverlay(c)
    if (block) out.push(block)
  }
  out.push(`_Made by kalamdb-profiler on ${formatTime(Date.now())}._`)
  return `${out.join('\n\n')}\n`
}

function round(v: number, digits: number): string {
  const x = Number(v.toFixed(digits))
  return String(Object.is(x, -0) ? 0 : x)
}

/** Two `line`s on one xychart-beta: A first, then B (Mermaid draws no legend; the caption says it). */
export function mermaidOverlay(c: OverlayChart): string | null {
  const series = c.series.filter((s) => s.points.length > 0)
  if (series.length === 0 || !(c.spanMs > 0)) return null
  const values = series.map((s) => bucketMeans(s.points, 0, c.spanMs, MERMAID_POINTS))
  const all = values.flat()
  const max = Math.max(...all)
  const min = Math.min(...all)
  const div =
    c.unit === 'bytes'
      ? max >= 10 * 1024 ** 3
        ? 1024 ** 3
        : max >= 10 * 1024 ** 2
          ? 1024 ** 2
          : 1024
      : 1
  const unitName =
    c.unit === 'bytes' ? (div === 1024 ** 3 ? 'GiB' : div === 1024 ** 2 ? 'MiB' : 'KiB') : '%'
  const range = niceRange(min / div, max / div, 5)
  const digits = range.step >= 10 ? 0 : range.step >= 1 ? 1 : 2
  const minutes = c.spanMs >= 180_000
  const xMax = minutes ? c.spanMs / 60_000 : c.spanMs / 1000
  return [
    `**${c.title}** (first line A, second B)`,
    '',
    '```mermaid',
    'xychart-beta',
    `  title "${c.title.replace(/"/g, "'")}"`,
    `  x-axis "elapsed (${minutes ? 'min' : 's'})" 0 --> ${round(xMax, 1)}`,
    `  y-axis "${unitName}" ${round(range.min, digits)} --> ${round(range.max, digits)}`,
    ...values.map((vs) => `  line [${vs.map((v) => round(v / div, digits + 1)).join(', ')}]`),
    '```'
  ].join('\n')
}
