/**
 * Two bench results side by side. Figures are matched by id; each latency figure gives a
 * median row (the verdict's evidence: Mann–Whitney U on the raw samples + bootstrap CI of
 * the median's relative change) and a p95 row (bootstrap CI of the p95's change only, so
 * its wide interval keeps tail noise from being called a regression). Throughput figures
 * give a median row. Targets that flipped are noted.
 */
import type { BenchFigure, BenchResult } from '../../shared/bench'
import type { CompareMetric, CompareResult, CompareSide } from '../../shared/compare'
import { ProfilerError } from '../../shared/errors'
import { DEFAULT_THRESHOLDS, judge, ratioIntervalFromCis, type Thresholds } from './significance'
import { bootstrapChangeCi, mannWhitney } from './stats'
import { formatIn, reasonFor, summaryOf, verdictOf } from './words'

/**
 * Latency differences under 50 µs are never called: below that, timer resolution, the
 * event loop and the kernel's scheduling dominate a loopback round trip.
 */
export const LATENCY_FLOOR_MS = 0.05

export interface CompareOptions {
  thresholds?: Partial<Thresholds>
  /** Labels of the two sides (paths on the command line). */
  labels?: [string, string]
}

export function compareBench(
  a: BenchResult,
  b: BenchResult,
  options: CompareOptions = {}
): CompareResult {
  const t: Thresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds }
  const figuresA = figureMap(a)
  const figuresB = figureMap(b)
  const metrics: CompareMetric[] = []
  const notes: string[] = []
  const common = [...figuresA.keys()].filter((id) => figuresB.has(id))
  if (common.length === 0) {
    throw new ProfilerError(
      'BAD_INPUT',
      'the two bench results have no figure in common: run the same benchmarks (--only) on both'
    )
  }
  for (const id of common) {
    const fa = figuresA.get(id)!
    const fb = figuresB.get(id)!
    metrics.push(compareFigure(fa, fb, 0.5, t))
    if (fa.unit === 'ms') metrics.push(compareFigure(fa, fb, 0.95, t))
    for (const [side, f] of [
      ['A', fa],
      ['B', fb]
    ] as const) {
      if (f.limitBound) notes.push(`${f.label} in ${side} is limit-bound: ${f.limitBound}`)
    }
  }
  const onlyA = [...figuresA.keys()].filter((id) => !figuresB.has(id))
  const onlyB = [...figuresB.keys()].filter((id) => !figuresA.has(id))
  if (onlyA.length > 0) notes.push(`Only in A (not compared): ${onlyA.join(', ')}.`)
  if (onlyB.length > 0) notes.push(`Only in B (not compared): ${onlyB.join(', ')}.`)
  if (a.quick !== b.quick) {
    notes.push(
      `A is a ${a.quick ? 'quick' : 'full'} run and B a ${b.quick ? 'quick' : 'full'} one: sample counts differ, so do the intervals.`
    )
  }
  if ((a.target.version ?? null) !== (b.target.version ?? null)) {
    notes.push(
      `KalamDB version: A ${a.target.version ?? 'unknown'}, B ${b.target.version ?? 'unknown'}.`
    )
  }
  notes.push(...targetFlips(a, b))
  const verdict = verdictOf(metrics)
  return {
    schemaVersion: 1,
    kind: 'bench',
    verdict,
    summary: summaryOf(verdict, metrics, t),
    a: side(a, options.labels?.[0] ?? 'A'),
    b: side(b, options.labels?.[1] ?? 'B'),
    settings: t,
    metrics,
    notes
  }
}

function figureMap(r: BenchResult): Map<string, BenchFigure> {
  const m = new Map<string, BenchFigure>()
  for (const bm of r.benchmarks) for (const f of bm.figures) m.set(f.id, f)
  return m
}

function side(r: BenchResult, label: string): CompareSide {
  return {
    label,
    kind: 'bench',
    version: r.target.version,
    buildDate: r.target.buildDate,
    startedAt: r.startedAt,
    quick: r.quick
  }
}

function statOf(f: BenchFigure, q: number): number {
  return q === 0.5 ? f.stats.median : f.stats.p95
}

function compareFigure(
  fa: BenchFigure,
  fb: BenchFigure,
  q: 0.5 | 0.95,
  t: Thresholds
): CompareMetric {
  const median = q === 0.5
  const a = statOf(fa, q)
  const b = statOf(fb, q)
  const raw = fa.samples.length > 1 && fb.samples.length > 1
  // The rank test asks "did the distribution move"; it backs the median call. The p95 row is
  // judged on its own interval, which is honest about how little a tail of 30 samples says.
  const pValue = raw && median ? mannWhitney(fa.samples, fb.samples).pValue : null
  let changeCi: [number, number] | null = null
  let test: string
  if (raw) {
    changeCi = bootstrapChangeCi(fa.samples, fb.samples, q)
    test = median
      ? 'Mann–Whitney U on the raw samples + bootstrap 95% CI of the median’s change'
      : 'bootstrap 95% CI of the p95’s change'
  } else if (median) {
    changeCi = ratioIntervalFromCis(fa.stats.medianCi95, fb.stats.medianCi95)
    test = 'the two medians’ 95% CIs (no raw samples)'
  } else {
    test = 'point estimates (no raw samples): must clear twice the noise band'
  }
  const noise = raw || median ? t.noise : 2 * t.noise
  const floor = fa.unit === 'ms' ? LATENCY_FLOOR_MS : undefined
  const j = judge({
    better: fa.better,
    a,
    b,
    pValue,
    alpha: t.alpha,
    changeCi,
    noise,
    ...(floor !== undefined ? { floor } : {})
  })
  const metric: CompareMetric = {
    id: `bench.${fa.id}.${median ? 'median' : 'p95'}`,
    name: `${fa.label} ${median ? 'median' : 'p95'}`,
    group: 'benchmark',
    unit: fa.unit,
    better: fa.better,
    a,
    b,
    change: j.change,
    changeCi95: changeCi,
    delta: j.delta,
    pValue,
    test,
    significant: j.significant,
    direction: j.direction,
    reason: reasonFor({
      unit: fa.unit,
      judgement: j,
      pValue,
      changeCi,
      noise,
      ...(floor !== undefined ? { floor } : {})
    })
  }
  if (median) {
    metric.a95 = fa.stats.medianCi95
    metric.b95 = fb.stats.medianCi95
  }
  return metric
}

function targetFlips(a: BenchResult, b: BenchResult): string[] {
  const out: string[] = []
  for (const tb of b.targets) {
    const ta = a.targets.find((x) => x.benchmark === tb.benchmark && x.name === tb.name)
    if (!ta || ta.pass === tb.pass) continue
    const word = (p: boolean | null): string =>
      p === null ? 'not measured' : p ? 'passed' : 'FAILED'
    out.push(
      `Target ${tb.name} (${tb.threshold}): ${word(ta.pass)} in A (${formatIn(ta.unit, ta.measured)}), ${word(tb.pass)} in B (${formatIn(tb.unit, tb.measured)}).`
    )
  }
  return out
}
