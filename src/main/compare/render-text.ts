/**
 * `compare`'s terminal output: the verdict first (STYLE.md §15), what was compared, then
 * one aligned table with units, then why each difference was called, then caveats.
 */
import type { CompareMetric, CompareResult, CompareSide } from '../../shared/compare'
import { formatInUnit } from '../../shared/units'
import { formatTime } from '../report/format'
import { formatMetricChange, headline } from './words'

/** Section titles of the metric groups, in every rendering. */
export const GROUP_TITLE: Record<CompareMetric['group'], string> = {
  memory: 'Memory',
  release: 'Release',
  latency: 'Latency',
  throughput: 'Throughput',
  cpu: 'CPU',
  criteria: 'Criteria',
  benchmark: 'Benchmarks'
}

/** "scenario memory-stability, KalamDB 0.4.3, quick, 2024-05-01 12:00:00 UTC". */
export function sideDetails(s: CompareSide): string {
  return [
    s.scenario ? `scenario ${s.scenario}` : s.kind === 'bench' ? 'bench' : null,
    s.version ? `KalamDB ${s.version}` : null,
    s.quick === true ? 'quick' : null,
    formatTime(s.startedAt)
  ]
    .filter(Boolean)
    .join(', ')
}

export function describeSide(name: string, s: CompareSide): string {
  return `${name}: ${s.label} (${sideDetails(s)})`
}

/** The call column: "worse", "better", "same", or "n/a" when a side is missing. */
export function callOf(m: CompareMetric): string {
  if (m.a === null || m.b === null) return 'n/a'
  if (m.counts === false) return `(${m.contextDirection ?? 'same'})`
  return m.significant ? m.direction.toUpperCase() : 'same'
}

export function renderCompareText(r: CompareResult): string {
  const lines: string[] = [headline(r), describeSide('A', r.a), describeSide('B', r.b), '']
  const header = ['Metric', 'A', 'B', 'Change', 'Call']
  const rows: string[][] = []
  let group: CompareMetric['group'] | null = null
  const groupRows: number[] = []
  for (const m of r.metrics) {
    if (m.group !== group) {
      group = m.group
      groupRows.push(rows.length)
      rows.push([GROUP_TITLE[m.group], '', '', '', ''])
    }
    rows.push([
      `  ${m.name}`,
      formatInUnit(m.unit, m.a),
      formatInUnit(m.unit, m.b),
      formatMetricChange(m),
      callOf(m)
    ])
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)))
  const fmt = (row: string[]): string =>
    row
      .map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd()
  lines.push(fmt(header))
  lines.push(widths.map((w) => '-'.repeat(w)).join('  '))
  rows.forEach((row, i) => lines.push(groupRows.includes(i) ? row[0]! : fmt(row)))
  const called = r.metrics.filter((m) => m.significant)
  if (called.length > 0) {
    lines.push('', 'Differences outside the noise:')
    for (const m of called) lines.push(`  ${m.name}: ${m.reason}`)
  }
  lines.push(
    '',
    `Significance: p < ${r.settings.alpha} and the 95% CI of the change clears ±${Math.round(r.settings.noise * 100)}% (memory: ${Math.round(r.settings.memoryNoise * 100)}% of the baseline).`
  )
  if (r.notes.length > 0) {
    lines.push('', 'Notes:')
    for (const n of r.notes) lines.push(`  - ${n}`)
  }
  return `${lines.join('\n')}\n`
}
