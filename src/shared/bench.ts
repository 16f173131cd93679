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
  'concurrent-writes',
  /**
   * Ours, for "did the build grow more memory": heap the server keeps per inserted row,
   * measured in bursts once the server is warm (needs the server's memory: local /proc or
   * system.stats).
   */
  'memory-retention'
] as const
export type BenchmarkId = (typeof BENCHMARK_IDS)[number]

/** Unit of a figure's samples. */
export type BenchUnit = 'ms' | 'rows/s' | 'bytes/row'

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
  /** Lower quartile: what `compare` judges latency on (contention on a busy machine only adds). */
  p25?: number
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

/**
 * How busy the machine was during one benchmark: `compare` widens its noise band by the
 * CPU other processes used, so a busier machine is not taken for a slower server.
 */
export interface BenchEnvironment {
  /**
   * CPU used by processes other than the profiler and the server, percent of one core
   * (100 = one core busy); null off Linux. Includes the server when its pid was unknown
   * (`serverCpuMeasured` false).
   */
  otherCpuPercent: number | null
  serverCpuMeasured: boolean
  /** 1-minute load average at the end. */
  loadAverage: number
  /** p99 delay of this process's event loop: how late its own timers ran. */
  eventLoopDelayP99Ms: number | null
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
  /** The machine while it ran (absent in results of older versions). */
  environment?: BenchEnvironment
}

/**
 * The server's memory over the run against the rows it was given: how much it keeps per
 * inserted row (slope of memory on rows acknowledged, binned least squares). Read from
 * /proc/PID/status (RssAnon: the allocator's heap) when the server's process is on this
 * machine, else from its own system.stats (RSS, every 2 s). Null when neither was readable.
 */
export interface BenchMemory {
  source: 'proc' | 'server'
  /** The series fitted: heap (RssAnon) from /proc, RSS from the server. */
  field: 'heapBytes' | 'rssBytes'
  pid: number | null
  /** Readings: ms since the epoch, rows acknowledged so far, bytes (thinned to ≤ 2,000). */
  points: { t: number; rows: number; bytes: number }[]
  baselineBytes: number
  finalBytes: number
  /** Rows acknowledged over the run. */
  rows: number
  bytesPerRow: number
  bytesPerRowCi95: [number, number]
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
  /** Memory kept per inserted row over the run (absent in results of older versions). */
  memory?: BenchMemory | null
  /** argv that reproduces the run, credentials removed. */
  command?: string[]
  notes: string[]
}
