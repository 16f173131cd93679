/**
 * The analysis as terminal text (`kalam-profiler analyze`): the answer in words first, then
 * the figures as aligned tables with units (STYLE.md §15). Pure: result in, string out.
 */
import {
  ATTRIBUTION_UNIT,
  BEFORE_FLUSH_TAG,
  fitText,
  type AnalysisResult,
  type Finding,
  type MetricAnalysis
} from '../../shared/analysis'
import type { SessionMeta } from '../../shared/session'
import { formatBytes, formatBytesBound, formatDuration, formatMeasured } from '../../shared/units'
import { metricName, pct, rate } from './words'

const MARK: Record<Finding['severity'], string> = { problem: '✗', warning: '!', info: '·' }

export const STATUS_TEXT: Record<AnalysisResult['status'], string> = {
  passed: 'PASSED',
  failed: 'FAILED',
  'target-crashed': 'TARGET CRASHED',
  interrupted: 'INTERRUPTED',
  'no-criteria': 'no criteria'
}

const VERDICT_TEXT: Record<MetricAnalysis['verdict'], string> = {
  leak: 'LEAK',
  stable: 'stable',
  inconclusive: 'inconclusive'
}

export function renderAnalysisText(meta: SessionMeta, a: AnalysisResult): string {
  const out: string[] = []
  const head = [
    meta.scenario,
    meta.target.pid !== null ? `pid ${meta.target.pid}` : null,
    formatDuration(a.durationMs ?? 0),
    `${a.sampleCount ?? 0} sample${a.sampleCount === 1 ? '' : 's'}`,
    `status ${STATUS_TEXT[a.status]}`
  ].filter((x): x is string => x !== null)
  out.push(head.join(' · '), '')

  out.push('Findings')
  if (a.findings.length === 0) out.push('  · Nothing to report.')
  for (const f of a.findings) out.push(`  ${MARK[f.severity]} ${f.text}`)
  out.push('')

  const metrics = Object.entries(a.metrics) as [string, MetricAnalysis][]
  if (metrics.length > 0) {
    out.push('Memory')
    out.push(
      ...table(
        [
          'metric',
          'verdict',
          'baseline',
          'final',
          'growth',
          'slope',
          '95% CI (per min)',
          'released'
        ],
        metrics.map(([field, m]) => [
          metricName(field),
          VERDICT_TEXT[m.verdict] + (m.sawtooth ? ' (troughs)' : ''),
          formatBytes(m.baselineBytes),
          formatBytes(m.finalBytes),
          signed(m.growthPercent),
          rate(m.slopeBytesPerMin),
          `${formatBytesBound(m.slopeCi95[0])} … ${formatBytesBound(m.slopeCi95[1])}`,
          m.releasedPercent === null ? '–' : pct(m.releasedPercent, 0)
        ]),
        [false, false, true, true, true, true, true, true]
      ),
      ''
    )
  }

  if (a.attribution.length > 0) {
    out.push('Attribution')
    out.push(
      ...table(
        ['metric', 'bytes per unit', '95% CI', 'R²'],
        a.attribution.map((x) => [
          metricName(String(x.metric)),
          `${formatBytes(x.bytesPerUnit)} per ${ATTRIBUTION_UNIT[x.per]}${x.beforeFlush ? ` (${BEFORE_FLUSH_TAG})` : ''}`,
          `${formatBytes(x.ci95[0])} … ${formatBytes(x.ci95[1])}`,
          fitText(x)
        ]),
        [false, true, true, true]
      ),
      ''
    )
  }

  const c = a.connections
  if (c && (c.sockets !== null || c.serverReported !== null || (c.expected ?? 0) > 0)) {
    out.push(
      `Connections: profiler holds ${c.expected ?? '–'}, sockets on the port ${c.sockets ?? '–'}, ` +
        `server reports ${c.serverReported ?? '–'}` +
        (c.judgedFrom
          ? ` (${formatDuration(c.graceMs ?? 0)} after the profiler opened or closed connections)`
          : ' (run ended within the grace period)') +
        (c.stale ? ' — STALE' : ''),
      ''
    )
  }

  const latency = Object.entries(a.latency ?? {})
  if (latency.length > 0) {
    out.push('Latency (ms)')
    out.push(
      ...table(
        ['operation', 'count', 'p50', 'p95', 'p99', 'max'],
        latency.map(([op, l]) => [
          op,
          String(l.count),
          ms(l.p50Ms),
          ms(l.p95Ms),
          ms(l.p99Ms),
          ms(l.maxMs)
        ]),
        [false, true, true, true, true, true]
      ),
      ''
    )
  }
  if (a.cpu) {
    out.push(
      `CPU: average ${pct(a.cpu.averagePercent)}, peak ${pct(a.cpu.peakPercent)} (100% = one core)`,
      ''
    )
  }

  const diff = a.snapshotDiff
  if (diff && diff.rows.length > 0) {
    out.push(`Memory map, first → last snapshot (${signedBytes(diff.totalDeltaRssBytes)} resident)`)
    out.push(
      ...table(
        ['mapping', 'kind', 'before', 'after', 'change', '%'],
        diff.rows
          .filter((r) => r.status !== 'same')
          .slice(0, 10)
          .map((r) => [
            r.key,
            r.kind + (r.dataLabel ? ` (${r.dataLabel})` : ''),
            formatBytes(r.beforeRssBytes),
            formatBytes(r.afterRssBytes),
            signedBytes(r.deltaRssBytes),
            r.deltaPercent === null ? 'new' : signed(r.deltaPercent)
          ]),
        [false, false, true, true, true, true]
      ),
      ''
    )
  }

  if (a.criteria.length > 0) {
    out.push('Criteria')
    out.push(
      ...table(
        ['', 'criterion', 'threshold', 'measured'],
        a.criteria.map((c) => [
          c.pass === true ? 'pass' : c.pass === false ? 'FAIL' : 'n/a',
          c.name,
          c.threshold,
          c.measured === null ? '–' : formatMeasured(c.measured, c.unit)
        ]),
        [false, false, false, true]
      ),
      ''
    )
  }
  return out.join('\n')
}

function ms(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)
}

function signed(p: number): string {
  return `${p >= 0 ? '+' : ''}${p.toFixed(1)}%`
}

function signedBytes(b: number): string {
  return `${b >= 0 ? '+' : ''}${formatBytes(b)}`
}

/** Aligned columns, two spaces apart; right-aligned where `right` says (numbers). */
function table(header: string[], rows: string[][], right: boolean[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]): string =>
    '  ' +
    cells
      .map((c, i) => (right[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()
  return [line(header), ...rows.map(line)]
}
