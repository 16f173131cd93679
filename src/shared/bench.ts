/**
 * A `kalam-profiler bench` result: the seed's performance benchmarks
 * (../shared/seeds/testing-strategy.md "Performance Benchmarks" and "Performance Targets")
 * measured against a live KalamDB server, with Criterion-style statistics (warm-up,
 * repeated samples, median with a bootstrap confidence interval, Tukey-fence outliers).
 * Written by `bench --json` / `--save`, read back by `compare` and the UI.
 *
 * Raw samples are kept so two results can be compared with a rank test (Mann–Whitney), not
 * only by their summaries. Units: latency in ms, throughput in rows per second, times in ms
 * since the Unix epoch.
 */
import type { MachineInfo } from './session'

/** The `kind` of a bench result file: how `compare` tells it from a session or a report. */
export const BENCH_RESULT_KIND = 'kalam-profiler-bench'

/** The seed's benchmarks, in the order they run. */
export const BENCHMARK_IDS = [
  /** One-row INSERT, round trip (seed: bench_rocksdb_writes). */
  'write-latency',
  /** Point SELECT by primary key (seed: bench_rocksdb_reads). */
  'read-latency',
  /** A simple bounded query (seed: bench_datafusion_queries). */
  'query-latency',
  /** STORAGE FLUSH TABLE of a known number of rows (seed: bench_flush_operations). */
  'flush-throughput',
  /** INSERT sent → WebSocket change notification received (seed: test_live_query_changes). */
  'notification-latency',
  /** 1,000 one-row inserts/s held for a set duration (seed: bench_sustained_write_load). */
  'sustained-write',
  /** 1, 2, 4, 8, 16 closed-loop writers → throughput and latency (seed: bench_concurrent_writes). */
  'concurrent-writes'
] as const
export type BenchmarkId = (typeof BENCHMARK_IDS)[number]

/** Unit of a figure's samples. */
export type BenchUnit = 'ms' | 'rows/s'

/** Counts of samples outside Tukey's fences (Criterion's classification): mild 1.5 IQR, severe 3 IQR. */
export interface OutlierCounts {
  lowSevere: number
  lowMild: number
  highMild: number
  highSevere: number
}

/** Summary of one figure's samples, in the figure's unit. */
export interface BenchStatistics {
  /** Samples measured (may exceed `samples.length` when the kept set was thinned). */
  n: number
  median: number
  /** 95% confidence interval of the median (percentile bootstrap, fixed seed). */
  medianCi95: [number, number]
  mean: number
  stdDev: number
  min: number
  max: number
  p95: number
  p99: number
  outliers: OutlierCounts
}

/** One measured quantity of a benchmark; `id` is what `compare` matches across runs. */
export interface BenchFigure {
  /** Stable id: 'write-latency', 'concurrent-writes.8.throughput' … */
  id: string
  benchmark: BenchmarkId
  label: string
  unit: BenchUnit
  /** Which way is good: latency lower, throughput higher. */
  better: 'lower' | 'higher'
  /** What one sample is, in words ("one single-row INSERT, send to answer"). */
  sampleOf: string
  /** Raw samples in `unit`, in measurement order (thinned uniformly above 10,000). */
  samples: number[]
  stats: BenchStatistics
  /**
   * Set when the figure measures the server's configured limits more than the server
   * (e.g. writers paced under rate_limit.max_queries_per_sec); says which limit and how.
   */
  limitBound?: string
}

/** One row of the seed's "Performance Targets" table, judged on this run. */
export interface BenchTargetCheck {
  benchmark: BenchmarkId
  /** The seed's metric name, e.g. "Write latency". */
  name: string
  /** Threshold text with the statistic judged, e.g. "p95 < 1 ms". */
  threshold: string
  measured: number | null
  unit: BenchUnit
  /** null = could not be measured (no data never passes). */
  pass: boolean | null
  reason: string
}

/** How one benchmark went. */
export interface BenchmarkOutcome {
  id: BenchmarkId
  title: string
  /** `failed` = it ran into an error and produced no or partial figures (see `error`). */
  status: 'ok' | 'failed' | 'skipped'
  error?: string
  /** Operations run before measuring (not in the samples), and how long that took. */
  warmup: { operations: number; ms: number }
  durationMs: number
  figures: BenchFigure[]
  /** Anything the reader should know about how it was measured. */
  notes: string[]
}

/** A whole `bench` run (the JSON `bench --json` prints and `--save` writes). */
export interface BenchResult {
  schemaVersion: 1
  kind: typeof BENCH_RESULT_KIND
  startedAt: number
  endedAt: number
  /** `--quick`: few samples, seconds in all (demos, tests); figures are noisier. */
  quick: boolean
  target: {
    url: string
    /** KalamDB version and build as /health and system.stats report them. */
    version: string | null
    buildDate: string | null
    gitCommit?: string | null
  }
  machine: MachineInfo
  profilerVersion: string
  /** The server's limits as read at the start (null: not readable, KalamDB defaults assumed). */
  limits: {
    maxQueriesPerSec: number | null
    maxSubscriptionsPerUser: number | null
    maxAuthRequestsPerIpPerSec: number | null
  } | null
  /** Users created for the run to stay under the per-user limits (dropped afterwards). */
  workloadUsers: number
  benchmarks: BenchmarkOutcome[]
  targets: BenchTargetCheck[]
  /** argv that reproduces the run, credentials removed. */
  command?: string[]
  notes: string[]
}
