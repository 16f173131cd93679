/**
 * Two recorded sessions of the same scenario side by side: memory slope and growth per
 * field, release, latency percentiles per operation, insert throughput, CPU, failed
 * requests, and the scenario's criteria — each with a significance call.
 *
 * Evidence per metric (rows marked context are shown but never move the verdict):
 *  - slope: the analysis's 95% CIs → a z-test of the difference; must clear a floor of
 *    `memoryNoise` × baseline over the compared window (a drift that small is not a leak);
 *  - growth (context: the slope says the same with an honest interval): per-sample noise
 *    of each series → z-test; floor `memoryNoise` in points;
 *  - latency: the p10 of each operation's histogram with its order-statistic CI decides.
 *    Latency is counted from each request's intended start, so any stall of a busy machine
 *    piles a backlog onto the median and the tail (between two runs of one build on a
 *    loaded machine the p50 moved 3.5× while the p10 moved 8%); a slower server moves every
 *    request, the p10 too. p50 (with Mann–Whitney over the buckets), p95, p99: context;
 *  - throughput and CPU: Mann–Whitney + bootstrap over the per-second values of the load
 *    phase; failed requests: a two-proportion z-test;
 *  - criteria (context): an outcome that flipped is reported, the metrics above decide.
 */
import type { AnalysisResult, MetricAnalysis } from '../../shared/analysis'
import type { CompareMetric, CompareResult, CompareSide, CompareUnit } from '../../shared/compare'
import { ProfilerError } from '../../shared/errors'
import type { MemoryField } from '../../shared/sample'
import type { CriterionResult, SessionData, SessionEvent } from '../../shared/session'
import { formatInUnit } from '../../shared/units'
import { analyzeSession, loadSpan, phaseSpans, pointsOf } from '../analysis'
import { metricLabel } from '../report/words'
import { LATENCY_FLOOR_MS, type CompareOptions } from './bench'
import { decodeBuckets, quantileWithCi, rankGroups } from './histogram'
import {
  asContext,
  DEFAULT_THRESHOLDS,
  judge,
  ratioIntervalFromCis,
  relativeChange,
  seFromCi,
  type Thresholds
} from './significance'
import { bootstrapChangeCi, mannWhitney, mannWhitneyGrouped, median, twoSidedP } from './stats'
import { reasonFor, summaryOf, verdictOf } from './words'
import { ownSlope, perSampleNoise, type Window } from './trend'

const Z95 = 1.959963985

/** Memory fields compared, in report order (stack and swap rarely move; pss only when measured). */
const FIELDS: MemoryField[] = ['rssBytes', 'heapBytes', 'fileMappedBytes', 'pssBytes']

/** Release differences under 15 points are noise: the seed's own T224 band is 15%. */
const RELEASE_FLOOR_PERCENT = 15
/** CPU moves by whole percents between identical runs (100 = one core). */
const CPU_FLOOR_PERCENT = 5
/**
 * The p10 of latency is called only beyond ±50% (or the --noise band if wider): with one run
 * a side, even the quickest tenth of requests moved by up to 20% between runs of one build
 * on a busy machine (a stall leaves fewer requests unaffected), while a slower server moves
 * it by its whole added delay.
 */
const SESSION_LATENCY_BAND = 0.5
/** Failed-request shares closer than 0.1 points are not worth a regression call. */
const FAILURE_FLOOR_RATIO = 0.001
/** Each memory "final"/"baseline" level is a window median; ~this many samples (growth SE). */
const LEVEL_WINDOW_SAMPLES = 10

export interface SessionCompareOptions extends CompareOptions {
  /** Analyses already made (the UI has them); computed when absent. */
  analyses?: [AnalysisResult, AnalysisResult]
}

export function compareSessions(
  a: SessionData,
  b: SessionData,
  options: SessionCompareOptions = {}
): CompareResult {
  if (a.meta.scenario !== b.meta.scenario) {
    throw new ProfilerError(
      'BAD_INPUT',
      `cannot compare sessions of different scenarios: A is '${a.meta.scenario}', B is '${b.meta.scenario}'`
    )
  }
  const t: Thresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds }
  const [anA, anB] = options.analyses ?? [analyzeSession(a), analyzeSession(b)]
  const wA = windowOf(a)
  const wB = windowOf(b)
  const metrics: CompareMetric[] = [
    ...memoryRows(a, b, anA, anB, wA, wB, t),
    ...releaseRows(anA, anB, t),
    ...latencyRows(a, b, t),
    ...throughputRows(a, b, wA, wB, t),
    ...cpuRows(a, b, wA, wB, t),
    ...failureRows(a, b, t),
    ...criteriaRows(a.verdicts ?? anA.criteria, b.verdicts ?? anB.criteria, t)
  ]
  const verdict = verdictOf(metrics)
  return {
    schemaVersion: 1,
    kind: 'sessions',
    verdict,
    summary: summaryOf(verdict, metrics, t),
    a: side(a, options.labels?.[0] ?? a.dir),
    b: side(b, options.labels?.[1] ?? b.dir),
    settings: t,
    metrics,
    notes: notesFor(a, b)
  }
}

function side(s: SessionData, label: string): CompareSide {
  return {
    label,
    kind: 'session',
    scenario: s.meta.scenario,
    version: s.meta.target.version ?? null,
    buildDate: s.meta.target.buildDate ?? null,
    startedAt: s.meta.startedAt,
    ...(typeof s.meta['quick'] === 'boolean' ? { quick: s.meta['quick'] } : {})
  }
}

/** The load phase when the scenario has one, else the whole recording. */
function windowOf(s: SessionData): Window {
  const end =
    s.samples.length > 0 ? s.samples[s.samples.length - 1]!.t : (s.meta.endedAt ?? s.meta.startedAt)
  const load = loadSpan(phaseSpans(s.events, end))
  const from = load?.from ?? s.samples[0]?.t ?? s.meta.startedAt
  const to = load?.to ?? end
  return { from, to: Math.max(to, from) }
}

// ------------------------------------------------------------------------------ memory

function memoryRows(
  a: SessionData,
  b: SessionData,
  anA: AnalysisResult,
  anB: AnalysisResult,
  wA: Window,
  wB: Window,
  t: Thresholds
): CompareMetric[] {
  const rows: CompareMetric[] = []
  for (const field of FIELDS) {
    const mA = anA.metrics[field]
    const mB = anB.metrics[field]
    if (!mA && !mB) continue
    // A field neither run measured (PSS without smaps_rollup reads) is no row, not a zero.
    const measured = (m: MetricAnalysis | undefined): boolean => !!m && m.baselineBytes > 0
    if (!measured(mA) && !measured(mB)) continue
    rows.push(slopeRow(field, a, b, mA, mB, wA, wB, t))
    rows.push(asContext(growthRow(field, a, b, mA, mB, wA, wB, t), 'the slope above decides'))
  }
  return rows
}

/**
 * The analysis's slope and CI; our own fit when the analysis gave a degenerate interval: empty,
 * or unbounded (too few points or troughs to bound it, stored as ±Number.MAX_VALUE).
 */
function slopeOf(
  s: SessionData,
  field: MemoryField,
  m: MetricAnalysis | undefined,
  w: Window
): { slope: number; ci: [number, number] } | null {
  const width = m ? m.slopeCi95[1] - m.slopeCi95[0] : 0
  if (m && Number.isFinite(m.slopeBytesPerMin) && width > 0 && Number.isFinite(width)) {
    return { slope: m.slopeBytesPerMin, ci: m.slopeCi95 }
  }
  const own = ownSlope(pointsOf(s.samples, field, w))
  return own ? { slope: own.slopeBytesPerMin, ci: own.ci95 } : null
}

function slopeRow(
  field: MemoryField,
  a: SessionData,
  b: SessionData,
  mA: MetricAnalysis | undefined,
  mB: MetricAnalysis | undefined,
  wA: Window,
  wB: Window,
  t: Thresholds
): CompareMetric {
  const sa = slopeOf(a, field, mA, wA)
  const sb = slopeOf(b, field, mB, wB)
  let pValue: number | null = null
  let deltaCi: [number, number] | null = null
  if (sa && sb) {
    const se = Math.hypot(seFromCi(sa.ci), seFromCi(sb.ci))
    const d = sb.slope - sa.slope
    if (se > 0) {
      pValue = twoSidedP(d / se)
      deltaCi = [d - Z95 * se, d + Z95 * se]
    }
  }
  const baseline = Math.max(mA?.baselineBytes ?? 0, mB?.baselineBytes ?? 0)
  const minutes = Math.max(1 / 6, Math.min(wA.to - wA.from, wB.to - wB.from) / 60_000)
  // A slope difference that adds up to less than memoryNoise of the baseline over the
  // shorter window, or to less than 1 MiB, is drift, not a leak.
  const floor = Math.max(t.memoryNoise * baseline, 1024 * 1024) / minutes
  const j = judge({
    better: 'lower',
    a: sa?.slope ?? null,
    b: sb?.slope ?? null,
    pValue,
    alpha: t.alpha,
    deltaCi,
    floor
  })
  return {
    id: `${field}.slope`,
    name: `${metricLabel(field)} slope`,
    group: 'memory',
    unit: 'bytes/min',
    better: 'lower',
    a: sa?.slope ?? null,
    b: sb?.slope ?? null,
    a95: sa?.ci ?? null,
    b95: sb?.ci ?? null,
    change: j.change,
    delta: j.delta,
    pValue,
    test: 'z-test of the slope difference from each run’s 95% CI; floor: growth over the window below the memory noise',
    significant: j.significant,
    direction: j.direction,
    reason: reasonFor({
      unit: 'bytes/min',
      judgement: j,
      pValue,
      deltaCi,
      floor,
      ...missing(sa, sb)
    })
  }
}

function growthRow(
  field: MemoryField,
  a: SessionData,
  b: SessionData,
  mA: MetricAnalysis | undefined,
  mB: MetricAnalysis | undefined,
  wA: Window,
  wB: Window,
  t: Thresholds
): CompareMetric {
  const ga = mA?.growthPercent ?? null
  const gb = mB?.growthPercent ?? null
  const seOf = (s: SessionData, m: MetricAnalysis | undefined, w: Window): number | null => {
    if (!m || !(m.baselineBytes > 0)) return null
    const pts = pointsOf(s.samples, field, w)
    const sigma = perSampleNoise(pts.map((p) => p.v))
    const win = Math.max(3, Math.min(LEVEL_WINDOW_SAMPLES, Math.floor(pts.length / 4)))
    // A window median's standard error is ≈ 1.2533 σ / √w; growth is final − baseline.
    return (100 * 1.2533 * sigma * Math.sqrt(2 / win)) / m.baselineBytes
  }
  const seA = seOf(a, mA, wA)
  const seB = seOf(b, mB, wB)
  let pValue: number | null = null
  let deltaCi: [number, number] | null = null
  if (ga !== null && gb !== null && seA !== null && seB !== null) {
    const se = Math.hypot(seA, seB)
    const d = gb - ga
    if (se > 0) {
      pValue = twoSidedP(d / se)
      deltaCi = [d - Z95 * se, d + Z95 * se]
    }
  }
  const floor = t.memoryNoise * 100
  const j = judge({ better: 'lower', a: ga, b: gb, pValue, alpha: t.alpha, deltaCi, floor })
  return {
    id: `${field}.growth`,
    name: `${metricLabel(field)} growth`,
    group: 'memory',
    unit: 'percent',
    better: 'lower',
    a: ga,
    b: gb,
    change: j.change,
    delta: j.delta,
    pValue,
    test: 'z-test of the growth difference from the per-sample noise of each run',
    significant: j.significant,
    direction: j.direction,
    reason: reasonFor({ unit: 'percent', judgement: j, pValue, deltaCi, floor, ...missing(mA, mB) })
  }
}

function releaseRows(anA: AnalysisResult, anB: AnalysisResult, t: Thresholds): CompareMetric[] {
  const rows: CompareMetric[] = []
  for (const field of FIELDS) {
    const ra = anA.metrics[field]?.releasedPercent ?? null
    const rb = anB.metrics[field]?.releasedPercent ?? null
    if (ra === null && rb === null) continue
    const floor = RELEASE_FLOOR_PERCENT
    const j = judge({ better: 'higher', a: ra, b: rb, pValue: null, alpha: t.alpha, floor })
    rows.push({
      id: `${field}.released`,
      name: `${metricLabel(field)} released after load`,
      group: 'release',
      unit: 'percent',
      better: 'higher',
      a: ra,
      b: rb,
      change: j.change,
      delta: j.delta,
      pValue: null,
      test: `point estimates; must differ by more than ${floor} points`,
      significant: j.significant,
      direction: j.direction,
      reason: reasonFor({ unit: 'percent', judgement: j, pValue: null, floor, ...missing(ra, rb) })
    })
  }
  return rows
}

// ----------------------------------------------------------------------------- latency

/** p10 decides (see the module comment); the summary has no p10, so without a histogram it is not judged. */
const PERCENTILES: { q: number; key: 'p50Us' | 'p95Us' | 'p99Us' | null; label: string }[] = [
  { q: 0.1, key: null, label: 'p10' },
  { q: 0.5, key: 'p50Us', label: 'p50' },
  { q: 0.95, key: 'p95Us', label: 'p95' },
  { q: 0.99, key: 'p99Us', label: 'p99' }
]

function latencyRows(a: SessionData, b: SessionData, t: Thresholds): CompareMetric[] {
  const opsA = a.latency?.operations ?? {}
  const opsB = b.latency?.operations ?? {}
  const names = [...new Set([...Object.keys(opsA), ...Object.keys(opsB)])].sort()
  const rows: CompareMetric[] = []
  for (const op of names) {
    const la = opsA[op]
    const lb = opsB[op]
    const ha = decodeBuckets(la?.histogram)
    const hb = decodeBuckets(lb?.histogram)
    const mw = ha && hb ? mannWhitneyGrouped(rankGroups(ha, hb)).pValue : null
    for (const p of PERCENTILES) {
      let va = la && p.key ? la[p.key] / 1000 : null
      let vb = lb && p.key ? lb[p.key] / 1000 : null
      let changeCi: [number, number] | null = null
      let a95: [number, number] | null = null
      let b95: [number, number] | null = null
      if (ha && hb) {
        const qa = quantileWithCi(ha, p.q)
        const qb = quantileWithCi(hb, p.q)
        va = qa.value / 1000
        vb = qb.value / 1000
        a95 = [qa.ci95[0] / 1000, qa.ci95[1] / 1000]
        b95 = [qb.ci95[0] / 1000, qb.ci95[1] / 1000]
        changeCi = ratioIntervalFromCis(a95, b95)
      }
      const exact = ha !== null && hb !== null
      const pValue = exact && p.q === 0.5 ? mw : null
      const noise = exact ? Math.max(t.noise, SESSION_LATENCY_BAND) : 2 * t.noise
      const floor = LATENCY_FLOOR_MS
      const j = judge({
        better: 'lower',
        a: va,
        b: vb,
        pValue,
        alpha: t.alpha,
        changeCi,
        noise,
        floor
      })
      const row: CompareMetric = {
        id: `latency.${op}.${p.label}`,
        name: `${op} latency ${p.label}`,
        group: 'latency',
        unit: 'ms',
        better: 'lower',
        a: va,
        b: vb,
        a95,
        b95,
        change: j.change,
        changeCi95: changeCi,
        delta: j.delta,
        pValue,
        test: exact
          ? p.q === 0.5
            ? 'Mann–Whitney U over the two histograms + order-statistic 95% CIs'
            : 'order-statistic 95% CIs of the percentile'
          : 'point estimates (no histogram recorded): must clear twice the noise band',
        significant: j.significant,
        direction: j.direction,
        reason: reasonFor({
          unit: 'ms',
          judgement: j,
          pValue,
          changeCi,
          noise,
          floor,
          ...missing(va, vb)
        })
      }
      rows.push(
        exact && p.q === 0.1
          ? row
          : asContext(
              row,
              p.q === 0.1 ? null : 'a busy machine piles its stalls onto the median and tail'
            )
      )
    }
  }
  return rows
}

// -------------------------------------------------------------------- throughput, CPU

type Counters = Extract<SessionEvent, { type: 'counters' }>

function countersIn(s: SessionData, w?: Window): Counters[] {
  return s.events
    .filter((e): e is Counters => e.type === 'counters')
    .filter((e) => !w || (e.t >= w.from && e.t <= w.to))
    .sort((x, y) => x.t - y.t)
}

/** Inserts per second between consecutive counters events of the load window. */
function insertRates(s: SessionData, w: Window): number[] {
  const cs = countersIn(s, w)
  const out: number[] = []
  for (let i = 1; i < cs.length; i++) {
    const dt = cs[i]!.t - cs[i - 1]!.t
    if (dt > 0) out.push(((cs[i]!.inserts - cs[i - 1]!.inserts) * 1000) / dt)
  }
  return out
}

function sampledRow(
  id: string,
  name: string,
  group: CompareMetric['group'],
  unit: CompareUnit,
  better: 'lower' | 'higher',
  xa: number[],
  xb: number[],
  t: Thresholds,
  floor?: number
): CompareMetric {
  const a = xa.length > 0 ? median(xa) : null
  const b = xb.length > 0 ? median(xb) : null
  const both = xa.length > 1 && xb.length > 1
  const pValue = both ? mannWhitney(xa, xb).pValue : null
  const changeCi = both ? bootstrapChangeCi(xa, xb, 0.5) : null
  const j = judge({
    better,
    a,
    b,
    pValue,
    alpha: t.alpha,
    changeCi,
    noise: t.noise,
    ...(floor !== undefined ? { floor } : {})
  })
  return {
    id,
    name,
    group,
    unit,
    better,
    a,
    b,
    change: j.change,
    changeCi95: changeCi,
    delta: j.delta,
    pValue,
    test: 'Mann–Whitney U over the per-second values of the load window + bootstrap 95% CI of the median’s change',
    significant: j.significant,
    direction: j.direction,
    reason: reasonFor({
      unit,
      judgement: j,
      pValue,
      changeCi,
      noise: t.noise,
      ...(floor !== undefined ? { floor } : {}),
      ...missing(a, b)
    })
  }
}

function throughputRows(
  a: SessionData,
  b: SessionData,
  wA: Window,
  wB: Window,
  t: Thresholds
): CompareMetric[] {
  const ra = insertRates(a, wA)
  const rb = insertRates(b, wB)
  if (ra.length === 0 && rb.length === 0) return []
  if (ra.every((v) => v === 0) && rb.every((v) => v === 0)) return []
  return [
    sampledRow(
      'throughput.inserts',
      'insert throughput',
      'throughput',
      'rows/s',
      'higher',
      ra,
      rb,
      t
    )
  ]
}

function cpuRows(
  a: SessionData,
  b: SessionData,
  wA: Window,
  wB: Window,
  t: Thresholds
): CompareMetric[] {
  const cpu = (s: SessionData, w: Window): number[] =>
    s.samples
      .filter(
        (x) =>
          x.t >= w.from &&
          x.t <= w.to &&
          typeof x.cpuPercent === 'number' &&
          Number.isFinite(x.cpuPercent)
      )
      .map((x) => x.cpuPercent as number)
  const ca = cpu(a, wA)
  const cb = cpu(b, wB)
  if (ca.length === 0 && cb.length === 0) return []
  return [sampledRow('cpu.percent', 'CPU', 'cpu', 'percent', 'lower', ca, cb, t, CPU_FLOOR_PERCENT)]
}

function failureRows(a: SessionData, b: SessionData, t: Thresholds): CompareMetric[] {
  const last = (s: SessionData): Counters | undefined => countersIn(s).at(-1)
  const ca = last(a)
  const cb = last(b)
  if (!ca || !cb || ca.requests === 0 || cb.requests === 0) return []
  const fa = ca.rateLimited + ca.unavailable + ca.errors
  const fb = cb.rateLimited + cb.unavailable + cb.errors
  const pa = fa / ca.requests
  const pb = fb / cb.requests
  // Two-proportion z-test with the pooled share.
  const pooled = (fa + fb) / (ca.requests + cb.requests)
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / ca.requests + 1 / cb.requests))
  const pValue = se > 0 ? twoSidedP((pb - pa) / se) : null
  const sd = Math.sqrt((pa * (1 - pa)) / ca.requests + (pb * (1 - pb)) / cb.requests)
  const deltaCi: [number, number] = [pb - pa - Z95 * sd, pb - pa + Z95 * sd]
  const floor = FAILURE_FLOOR_RATIO
  const j = judge({ better: 'lower', a: pa, b: pb, pValue, alpha: t.alpha, deltaCi, floor })
  if (fa === 0 && fb === 0) return []
  return [
    {
      id: 'requests.failed',
      name: 'failed requests (429, 503, errors)',
      group: 'throughput',
      unit: 'ratio',
      better: 'lower',
      a: pa,
      b: pb,
      change: j.change,
      delta: j.delta,
      pValue,
      test: 'two-proportion z-test on failed / sent requests',
      significant: j.significant,
      direction: j.direction,
      reason: reasonFor({ unit: 'ratio', judgement: j, pValue, deltaCi, floor })
    }
  ]
}

// ---------------------------------------------------------------------------- criteria

const UNIT: Record<CriterionResult['unit'], CompareUnit> = {
  percent: 'percent',
  bytes: 'bytes',
  ms: 'ms',
  count: 'count',
  'per-sec': 'per-sec',
  ratio: 'ratio'
}

/** "≥ 900/s" and "> …" are higher-is-better; everything else (<, ≤, ==) lower-or-exact. */
function betterOf(threshold: string): 'lower' | 'higher' {
  return /^\s*(≥|>=|>)/.test(threshold) ? 'higher' : 'lower'
}

function criteriaRows(
  ca: readonly CriterionResult[],
  cb: readonly CriterionResult[],
  t: Thresholds
): CompareMetric[] {
  const rows: CompareMetric[] = []
  const word = (p: boolean | null): string =>
    p === null ? 'not measured' : p ? 'passed' : 'FAILED'
  for (const x of ca) {
    const y = cb.find((c) => c.name === x.name)
    if (!y) continue
    const unit = UNIT[x.unit] ?? 'count'
    const better = betterOf(x.threshold)
    const change = relativeChange(x.measured, y.measured)
    const flipped = x.pass !== null && y.pass !== null && x.pass !== y.pass
    // A flip right at the threshold (9.9% vs 10.1%) is noise; one with a real move is not.
    const moved =
      x.measured !== null &&
      y.measured !== null &&
      (change === null ? x.measured !== y.measured : Math.abs(change) > t.noise)
    const significant = flipped && moved
    const direction = significant ? (y.pass ? 'better' : 'worse') : 'same'
    const values = `${formatInUnit(unit, x.measured)} in A, ${formatInUnit(unit, y.measured)} in B`
    const reason = flipped
      ? `${word(x.pass)} in A, ${word(y.pass)} in B (${values})${significant ? '.' : ': the values barely moved, so the flip is within noise.'}`
      : `${word(x.pass)} in both (${values}).`
    const row: CompareMetric = {
      id: `criterion.${x.name}`,
      name: `${x.name} (${x.threshold})`,
      group: 'criteria',
      unit,
      better,
      a: x.measured,
      b: y.measured,
      change,
      delta: x.measured !== null && y.measured !== null ? y.measured - x.measured : null,
      pValue: null,
      test: 'criterion outcome (context): a flip is noted when the measured value moved beyond the noise band',
      significant,
      direction,
      reason
    }
    // A scenario's pass/fail is a threshold on one noisy run, not a test between two: the
    // metrics above (with their intervals) decide, the outcome is shown beside them.
    rows.push(asContext(row, 'the measured metrics decide'))
  }
  return rows
}

// ------------------------------------------------------------------------------- notes

function notesFor(a: SessionData, b: SessionData): string[] {
  const notes: string[] = []
  const pa = a.meta.parameters ?? {}
  const pb = b.meta.parameters ?? {}
  const differing = [...new Set([...Object.keys(pa), ...Object.keys(pb)])]
    .filter((k) => JSON.stringify(pa[k]) !== JSON.stringify(pb[k]))
    .map((k) => `${k} ${JSON.stringify(pa[k] ?? null)} vs ${JSON.stringify(pb[k] ?? null)}`)
  if (differing.length > 0) {
    notes.push(
      `Parameters differ (${differing.join(', ')}): differences may come from the workload, not the build.`
    )
  }
  for (const [name, s] of [
    ['A', a],
    ['B', b]
  ] as const) {
    if (s.meta.status !== 'passed' && s.meta.status !== 'failed' && s.meta.status !== 'completed') {
      notes.push(
        `Session ${name} ended as '${s.meta.status}': its figures cover only what was recorded.`
      )
    }
  }
  const va = a.meta.target.version
  const vb = b.meta.target.version
  if (va !== vb) notes.push(`KalamDB version: A ${va ?? 'unknown'}, B ${vb ?? 'unknown'}.`)
  return notes
}

function missing(a: unknown, b: unknown): { missing?: 'a' | 'b' | 'both' } {
  const na = a === null || a === undefined
  const nb = b === null || b === undefined
  if (na && nb) return { missing: 'both' }
  if (na) return { missing: 'a' }
  if (nb) return { missing: 'b' }
  return {}
}
