/**
 * How much each benchmark measures: Criterion's defaults where they carry over (3 s of
 * warm-up, 100 samples), the seed's numbers where it names them (1,000 inserts/s; 1–16
 * writers; 10,000 rows per flush = KalamDB's flush.default_row_limit), ours elsewhere.
 * `--quick` keeps every benchmark and every figure but shrinks counts and durations so the
 * whole run takes seconds (demos, tests): its intervals are wider, never missing.
 */
import { BENCHMARK_IDS, type BenchmarkId } from '../../shared/bench'
import { ProfilerError } from '../../shared/errors'

export interface BenchParams {
  /** Mixed inserts and reads through every sender before the first benchmark (JIT, sockets, caches). */
  globalWarmupMs: number
  /** Warm-up of the latency benchmarks: at least this long and this many operations. */
  warmupMs: number
  warmupMinOps: number
  /** Measured operations per latency benchmark (one sample each). */
  samples: number
  notificationSamples: number
  /** Rows preloaded for the read and query benchmarks. */
  preloadRows: number
  /** Rows per flush, and flushes measured. */
  flushRows: number
  flushSamples: number
  /** Sustained-write rate (the seed's 1,000 inserts/s) and how long it is held. */
  sustainedRate: number
  sustainedMs: number
  /** Writer counts of the scaling benchmark, and how long each level runs. */
  scalingLevels: number[]
  scalingMs: number
  /** Throughput samples: one per window (rows acknowledged in it ÷ its length). */
  throughputWindowMs: number
  /** Memory retention: measured bursts, rows per burst, wait before reading the level. */
  retentionBursts: number
  retentionRows: number
  retentionSettleMs: number
}

/** The seed's writer counts for bench_concurrent_writes. */
export const SCALING_LEVELS = [1, 2, 4, 8, 16]

export const FULL_PARAMS: BenchParams = {
  globalWarmupMs: 3000,
  warmupMs: 3000,
  warmupMinOps: 20,
  samples: 100,
  notificationSamples: 100,
  preloadRows: 1000,
  flushRows: 10_000,
  flushSamples: 5,
  sustainedRate: 1000,
  sustainedMs: 30_000,
  scalingLevels: SCALING_LEVELS,
  scalingMs: 5000,
  throughputWindowMs: 500,
  retentionBursts: 10,
  retentionRows: 10_000,
  retentionSettleMs: 1000
}

export const QUICK_PARAMS: BenchParams = {
  globalWarmupMs: 1000,
  warmupMs: 300,
  warmupMinOps: 10,
  samples: 30,
  notificationSamples: 20,
  preloadRows: 200,
  flushRows: 1000,
  flushSamples: 3,
  sustainedRate: 1000,
  sustainedMs: 2000,
  scalingLevels: SCALING_LEVELS,
  scalingMs: 600,
  throughputWindowMs: 100,
  retentionBursts: 6,
  retentionRows: 5000,
  retentionSettleMs: 300
}

export const BENCHMARK_TITLES: Record<BenchmarkId, string> = {
  'write-latency': 'Single write latency (one-row INSERT)',
  'read-latency': 'Single read latency (point SELECT by key)',
  'query-latency': 'Simple query latency',
  'flush-throughput': 'Flush throughput',
  'notification-latency': 'Notification latency (INSERT → WebSocket change)',
  'sustained-write': 'Sustained 1,000 inserts/s',
  'concurrent-writes': 'Concurrent-write scaling (1, 2, 4, 8, 16 writers)',
  'memory-retention': 'Memory kept per inserted row'
}

/** Parses `--only a,b`: every name must be a benchmark id; order follows the seed's list. */
export function parseOnly(value: string): BenchmarkId[] {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
  if (names.length === 0) {
    throw new ProfilerError(
      'BAD_INPUT',
      `invalid --only '': name benchmarks, e.g. --only write-latency,read-latency`
    )
  }
  for (const n of names) {
    if (!(BENCHMARK_IDS as readonly string[]).includes(n)) {
      throw new ProfilerError(
        'BAD_INPUT',
        `unknown benchmark '${n}': use one or more of ${BENCHMARK_IDS.join(', ')}`
      )
    }
  }
  return BENCHMARK_IDS.filter((id) => names.includes(id))
}
