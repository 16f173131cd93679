/**
 * `bench`'s terminal output: the targets first (pass/fail with the measured figure), then
 * every figure with its median, 95% CI, p95, sample count and outliers, then the notes of
 * how each was measured.
 */
import type { BenchFigure, BenchResult, BenchUnit } from '../../shared/bench'
import { formatBytes, formatMs } from '../../shared/units'
import { formatTime } from '../report/format'

export function formatFigure(unit: BenchUnit, v: number): string {
  if (!Number.isFinite(v)) return '—'
  if (unit === 'ms') return formatMs(v)
  if (unit === 'bytes/row') return `${formatBytes(v)}/row`
  return `${Math.round(v).toLocaleString('en-US')} rows/s`
}

function outliers(f: BenchFigure): string {
  const o = f.stats.outliers
  const mild = o.lowMild + o.highMild
  const severe = o.lowSevere + o.highSevere
  if (mild + severe === 0) return 'none'
  return [mild > 0 ? `${mild} mild` : '', severe > 0 ? `${severe} severe` : '']
    .filter(Boolean)
    .join(', ')
}

function table(header: string[], rows: string[][], right: number[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const fmt = (r: string[]): string =>
    r
      .map((c, i) => (right.includes(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)]
}

export function renderBenchText(r: BenchResult, savedTo?: string): string {
  const lines: string[] = []
  const failed = r.targets.filter((t) => t.pass === false).length
  const broken = r.benchmarks.filter((b) => b.status === 'failed')
  const head = `${r.benchmarks.length} benchmark${r.benchmarks.length === 1 ? '' : 's'} against ${r.target.url} (KalamDB ${r.target.version ?? 'unknown version'}${r.quick ? ', quick' : ''}, ${formatTime(r.startedAt)})`
  lines.push(
    broken.length > 0
      ? `INCOMPLETE — ${broken.length} benchmark${broken.length === 1 ? '' : 's'} could not finish; ${head}`
      : failed > 0
        ? `${failed} of ${r.targets.length} targets missed — ${head}`
        : `All ${r.targets.length} targets met — ${head}`
  )
  if (r.targets.length > 0) {
    lines.push('', "Targets (the seed's Performance Targets):")
    lines.push(
      ...table(
        ['', 'Target', 'Threshold', 'Measured'],
        r.targets.map((t) => [
          t.pass === null ? 'N/A ' : t.pass ? 'PASS' : 'FAIL',
          t.name,
          t.threshold,
          t.measured === null ? 'not measured' : formatFigure(t.unit, t.measured)
        ]),
        [3]
      ).map((l) => `  ${l}`)
    )
  }
  const rows: string[][] = []
  for (const b of r.benchmarks) {
    if (b.status !== 'ok') continue
    for (const f of b.figures) {
      rows.push([
        `${f.label}${f.limitBound ? ' *' : ''}`,
        formatFigure(f.unit, f.stats.median),
        `${formatFigure(f.unit, f.stats.medianCi95[0])} … ${formatFigure(f.unit, f.stats.medianCi95[1])}`,
        formatFigure(f.unit, f.stats.p95),
        String(f.stats.n),
        outliers(f)
      ])
    }
  }
  lines.push('', 'Figures (median with its 95% bootstrap CI; outliers by Tukey fences, kept):')
  lines.push(
    ...table(['Figure', 'Median', '95% CI', 'p95', 'n', 'Outliers'], rows, [1, 2, 3, 4]).map(
      (l) => `  ${l}`
    )
  )
  if (r.benchmarks.some((b) => b.figures.some((f) => f.limitBound))) {
    lines.push('  * limit-bound: paced under the server’s per-user query rate (see notes)')
  }
  for (const b of r.benchmarks.filter((x) => x.status !== 'ok')) {
    lines.push(
      `  ${b.id}: ${b.status === 'failed' ? 'FAILED' : 'skipped'} — ${b.error ?? 'unknown error'}`
    )
  }
  const notes = [
    ...r.notes,
    ...r.benchmarks.flatMap((b) => [
      ...b.notes.map((n) => `${b.id}: ${n}`),
      // A level's throughput and latency share one limit note: say it once.
      ...[...new Set(b.figures.flatMap((f) => (f.limitBound ? [f.limitBound] : [])))].map(
        (l) => `${b.id}: limit-bound — ${l}`
      )
    ])
  ]
  if (notes.length > 0) {
    lines.push('', 'How it was measured:')
    for (const n of notes) lines.push(`  - ${n}`)
  }
  if (savedTo) lines.push('', `Saved to ${savedTo}`)
  return `${lines.join('\n')}\n`
}
