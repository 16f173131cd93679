/**
 * What every benchmark gets (BenchContext) and the two measuring loops they share: a
 * sequential one (warm-up, then one timed operation per sample, paced under the per-user
 * limit) and the figure builder that turns raw samples into Criterion-style statistics.
 */
import type { BenchFigure, BenchmarkId, BenchUnit } from '../../shared/bench'
import { ProfilerError } from '../../shared/errors'
import type { KalamClient, KalamError } from '../target/types'
import { summarizeSamples, thin } from '../compare/stats'
import { nowMs, sleep } from '../workload/clock'
import type { RunObjects } from '../workload/schema'
import type { IdAllocator } from '../workload/writers'
import type { MemoryReader } from './memory'
import type { Pacer } from './pacer'
import type { BenchParams } from './plan'

/** A client to send as, with the pacer of its user. */
export interface Sender {
  client: KalamClient
  user: string
  pacer: Pacer
}

export interface BenchProgress {
  benchmark: BenchmarkId
  /** 1-based position in this run, and how many benchmarks it has. */
  index: number
  total: number
  phase: 'setup' | 'warm-up' | 'measure'
  done: number
  of: number
}

export interface BenchContext {
  params: BenchParams
  /** The logged-in user: DDL, flushes, polls, and the sequential benchmarks. */
  admin: Sender
  /** Senders for concurrent writers: workload users, or the admin alone when limits allow. */
  writers: Sender[]
  objects: RunObjects
  ids: IdAllocator
  /** The server's memory, when readable (local /proc or system.stats). */
  memory: MemoryReader | null
  /** Rows the server acknowledged so far, all benchmarks together (the memory watch reads it). */
  inserted: { rows: number }
  /** Per-user SQL rate limit as read from the server (null: not readable). */
  maxQueriesPerSec: number | null
  signal: AbortSignal
  progress(p: Omit<BenchProgress, 'index' | 'total' | 'benchmark'>): void
  /**
   * Creates a table like the run's (same columns, SHARED, PUBLIC) in its namespace (dropped
   * with it); returns its qualified name. `manualFlush`: no automatic flush (a FLUSH_POLICY
   * far beyond the run), for benchmarks that must not have the server flush under them.
   */
  createTable(name: string, options?: { manualFlush?: boolean }): Promise<string>
  /** Runs `make` once per run under `key` (shared setup such as preloaded rows). */
  once<T>(key: string, make: () => Promise<T>): Promise<T>
}

/** Builds a figure: raw samples thinned to a bounded number, statistics over all of them. */
export function makeFigure(
  id: string,
  benchmark: BenchmarkId,
  label: string,
  unit: BenchUnit,
  sampleOf: string,
  samples: number[],
  limitBound?: string
): BenchFigure {
  const f: BenchFigure = {
    id,
    benchmark,
    label,
    unit,
    better: unit === 'rows/s' ? 'higher' : 'lower',
    sampleOf,
    samples: thin(samples, MAX_KEPT_SAMPLES).map(round4),
    stats: summarizeSamples(samples)
  }
  if (limitBound) f.limitBound = limitBound
  return f
}

/** Raw samples kept per figure (10,000 × ~8 bytes of JSON: a result stays well under a MiB). */
export const MAX_KEPT_SAMPLES = 10_000

function round4(v: number): number {
  return Math.round(v * 10_000) / 10_000
}

/** Consecutive failed operations after which a benchmark gives up. */
const MAX_CONSECUTIVE_FAILURES = 5
/** After a 429, wait for the server's bucket to refill (KalamDB buckets hold one second). */
const RATE_LIMIT_BACKOFF_MS = 1000

export interface SequentialResult {
  samples: number[]
  warmup: { operations: number; ms: number }
  /** Operations answered 429 (retried, not measured). */
  rateLimited: number
}

/**
 * Warm-up for at least `warmupMs` and `warmupMinOps` operations, then `samples` timed
 * operations, one at a time, each after a pacer slot. `op` returns its latency in ms or
 * throws a KalamError; a 429 is waited out and retried, other failures end the benchmark
 * after a few in a row.
 */
export async function measureSequential(
  ctx: BenchContext,
  pacer: Pacer,
  samples: number,
  op: () => Promise<number>
): Promise<SequentialResult> {
  const out: number[] = []
  let rateLimited = 0
  let failures = 0
  const attempt = async (): Promise<number | null> => {
    await pacer.slot(ctx.signal)
    if (ctx.signal.aborted) throw new ProfilerError('CANCELLED', 'the benchmark was cancelled')
    try {
      const ms = await op()
      failures = 0
      return ms
    } catch (e) {
      if (ctx.signal.aborted) throw new ProfilerError('CANCELLED', 'the benchmark was cancelled')
      const err = e as Partial<KalamError>
      if (err.code === 'RATE_LIMITED' || err.httpStatus === 429) {
        rateLimited++
        await sleep(RATE_LIMIT_BACKOFF_MS, ctx.signal)
        return null
      }
      if (++failures >= MAX_CONSECUTIVE_FAILURES) throw e
      return null
    }
  }
  const w0 = nowMs()
  let warmOps = 0
  while (nowMs() - w0 < ctx.params.warmupMs || warmOps < ctx.params.warmupMinOps) {
    if ((await attempt()) !== null) warmOps++
    ctx.progress({ phase: 'warm-up', done: warmOps, of: ctx.params.warmupMinOps })
  }
  const warmMs = nowMs() - w0
  while (out.length < samples) {
    const ms = await attempt()
    if (ms !== null) out.push(ms)
    ctx.progress({ phase: 'measure', done: out.length, of: samples })
  }
  return { samples: out, warmup: { operations: warmOps, ms: Math.round(warmMs) }, rateLimited }
}

/** Sends one SQL statement and returns its round trip in ms; a failure is thrown as-is. */
export async function timedSql(
  client: KalamClient,
  sql: string,
  signal: AbortSignal
): Promise<number> {
  const t0 = nowMs()
  const out = await client.trySql(sql, { signal })
  const ms = nowMs() - t0
  if (!out.ok) throw out.error
  return ms
}

/** Per-window throughput (rows/s) from acknowledgement times (ms) within [from, to). */
export function windowRates(
  ackTimes: readonly { t: number; rows: number }[],
  from: number,
  to: number,
  windowMs: number
): number[] {
  const n = Math.max(1, Math.floor((to - from) / windowMs))
  const rows = new Array<number>(n).fill(0)
  for (const a of ackTimes) {
    if (a.t < from) continue
    const i = Math.floor((a.t - from) / windowMs)
    if (i < n) rows[i]! += a.rows
  }
  return rows.map((r) => (r * 1000) / windowMs)
}
