/**
 * `bench`: the seed's KalamDB performance benchmarks against a live target (issue 9), with
 * Criterion-style statistics and the seed's Performance Targets. Named `benchmark` so it is
 * not confused with the repository's `bench/`, which benchmarks the profiler itself.
 */
export { runBench, type BenchDeps, type BenchHooks, type BenchOptions } from './runner'
export { FULL_PARAMS, QUICK_PARAMS, parseOnly, type BenchParams } from './plan'
export { DEFAULT_HISTORY_DIR, saveResult, versionKey } from './history'
export { renderBenchText, formatFigure } from './render'
export { checkTargets, TARGETS } from './targets'
export type { BenchProgress } from './context'
