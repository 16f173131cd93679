/**
 * The comparison of two runs — two sessions of the same scenario, or two bench results —
 * with a significance call per metric (`kalam-profiler compare`, the UI's Sessions view).
 * `compare --json` prints exactly a CompareResult; its minimum (verdict; metrics with name,
 * a, b, change, significant, direction) is a contract documented in docs/compare-json.md.
 *
 * A difference is called significant only when it lies outside the noise of the two runs:
 * a statistical test says it is unlikely to be chance AND its confidence interval clears a
 * practical noise threshold (Criterion's rule). Units: the metric's own (`unit`); `change`
 * is a fraction (0.03 = +3%).
 */

/** The answer first: a regression anywhere wins over improvements elsewhere. */
export type CompareVerdict = 'regression' | 'improvement' | 'no-significant-difference'

/** `same` = not significant, whatever the sign of the change. */
export type CompareDirection = 'worse' | 'better' | 'same'

/** Units of compared metrics. */
export type CompareUnit =
  'ms' | 'rows/s' | 'bytes/row' | 'bytes' | 'bytes/min' | 'percent' | 'count' | 'per-sec' | 'ratio'

/** One metric side by side. */
export interface CompareMetric {
  /** Stable key, e.g. 'rssBytes.slope', 'latency.insert.p95', 'bench.write-latency.median'. */
  id: string
  /** Human name with the statistic, e.g. "RSS slope", "insert latency p95". */
  name: string
  group: 'memory' | 'release' | 'latency' | 'throughput' | 'cpu' | 'criteria' | 'benchmark'
  unit: CompareUnit
  better: 'lower' | 'higher'
  /** Value in run A (the reference) and run B (the candidate); null = not measured there. */
  a: number | null
  b: number | null
  a95?: [number, number] | null
  b95?: [number, number] | null
  /** (b − a) / |a|; null when a is 0 or either side is missing. */
  change: number | null
  /** 95% interval of `change`, when the test gives one. */
  changeCi95?: [number, number] | null
  /** b − a in `unit` (for slopes and percentages the meaningful difference). */
  delta: number | null
  /** Two-sided p-value of the test used; null when the test gives none. */
  pValue?: number | null
  /** Which test decided, in words ("Mann–Whitney U + bootstrap CI of the median change"). */
  test: string
  significant: boolean
  direction: CompareDirection
  /** One sentence: why this is (not) called a difference. */
  reason: string
  /**
   * False for rows shown for context only: they never move the verdict, and their
   * `significant` is always false and `direction` 'same' — what their own test said is in
   * `contextDirection`.
   */
  counts?: boolean
  /** For context rows: the call their test would make ('same' = within noise). */
  contextDirection?: CompareDirection
}

/** What was compared, for headers. */
export interface CompareSide {
  /** The path given on the command line (or the UI's label). */
  label: string
  kind: 'session' | 'bench'
  /** Scenario id (sessions). */
  scenario?: string
  /** KalamDB version/build of the target, when recorded. */
  version?: string | null
  buildDate?: string | null
  startedAt: number
  quick?: boolean
}

/** The thresholds the significance calls used (so a reader can judge them). */
export interface CompareSettings {
  /** Two-sided significance level of the tests. */
  alpha: number
  /** Relative noise threshold: a change whose CI does not clear ±noise is not a difference. */
  noise: number
  /** Memory differences under this share of the baseline are noise. */
  memoryNoise: number
}

/** A whole comparison: what `compare --json` prints. */
export interface CompareResult {
  schemaVersion: 1
  kind: 'sessions' | 'bench'
  verdict: CompareVerdict
  /** The verdict in one sentence, naming the worst differences. */
  summary: string
  a: CompareSide
  b: CompareSide
  settings: CompareSettings
  metrics: CompareMetric[]
  /** Caveats: different parameters, quick vs full, metrics only one side has … */
  notes: string[]
}
