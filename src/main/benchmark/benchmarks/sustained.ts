/**
 * Sustained write load (seed: bench_sustained_write_load, "1000 inserts/sec sustained"):
 * the workload engine's open-model writer pool holds 1,000 one-row inserts/s for the set
 * duration, spread over workload users so no user passes KalamDB's per-user query rate.
 * Latency is counted from each insert's intended start (coordinated-omission-correct), so a
 * server that falls behind shows it as latency and a rate below target, not as a slower
 * client. The first part of the run warms up and is not measured.
 */
import { createCounters, ErrorTally } from '../../workload/counters'
import { LatencyRecorder } from '../../workload/latency'
import { nowMs, sleep } from '../../workload/clock'
import { startWriters, type InsertObservation } from '../../workload/writers'
import { makeFigure, windowRates, type BenchContext } from '../context'
import type { BenchRun } from './types'

/** Writers at least (the seed's T222 uses 10), more when more workload users exist. */
const MIN_WRITERS = 10
/** Share of the duration run before measuring starts (at least 500 ms). */
const WARMUP_SHARE = 0.1

export interface SustainedOutcome extends BenchRun {
  achievedPerSec: number
  failed: number
  unsent: number
}

export async function sustainedWrite(ctx: BenchContext): Promise<SustainedOutcome> {
  const p = ctx.params
  const writerCount = Math.max(MIN_WRITERS, ctx.writers.length)
  const slots = Array.from({ length: writerCount }, (_, i) => {
    const s = ctx.writers[i % ctx.writers.length]!
    return { runner: s.client, user: s.user }
  })
  const sink = {
    counters: createCounters(),
    latency: new LatencyRecorder(),
    errors: new ErrorTally(),
    event: () => undefined
  }
  const warmupMs = Math.max(500, p.sustainedMs * WARMUP_SHARE)
  const acks: { t: number; rows: number }[] = []
  const latencies: number[] = []
  let measureFrom = Infinity
  let failed = 0
  const onInsert = (o: InsertObservation): void => {
    if (o.ok) ctx.inserted.rows += o.rows
    // What the server did in the window, by answer time: a backlog it works off is its work.
    const t = nowMs()
    if (t < measureFrom || t >= measureFrom + p.sustainedMs) return
    if (!o.ok) {
      failed++
      return
    }
    acks.push({ t, rows: o.rows })
    latencies.push(o.latencyUs / 1000)
  }
  const pool = startWriters({
    writers: slots,
    table: ctx.objects.table,
    ratePerSec: p.sustainedRate,
    batchSize: 1,
    sink,
    signal: ctx.signal,
    onInsert,
    ids: ctx.ids
  })
  let unsentAtStart = 0
  try {
    ctx.progress({ phase: 'warm-up', done: 0, of: 1 })
    await sleep(warmupMs, ctx.signal)
    measureFrom = nowMs()
    unsentAtStart = pool.unsent
    const end = measureFrom + p.sustainedMs
    while (nowMs() < end && !ctx.signal.aborted) {
      await sleep(Math.min(250, end - nowMs()), ctx.signal)
      ctx.progress({ phase: 'measure', done: Math.round(nowMs() - measureFrom), of: p.sustainedMs })
    }
  } finally {
    await pool.stop()
    sink.latency.destroy()
  }
  const measureTo = measureFrom + p.sustainedMs
  const achieved = (acks.reduce((s, a) => s + a.rows, 0) * 1000) / p.sustainedMs
  const unsent = pool.unsent - unsentAtStart
  const users = new Set(slots.map((s) => s.user)).size
  const notes = [
    `${writerCount} writers over ${users} user${users === 1 ? '' : 's'}, one-row INSERTs at ${p.sustainedRate}/s for ${p.sustainedMs / 1000} s after ${Math.round(warmupMs)} ms of warm-up; achieved ${achieved.toFixed(1)} rows/s`,
    'latency from each insert’s intended start (open model), so falling behind shows as latency'
  ]
  if (failed > 0)
    notes.push(
      `${failed} inserts failed (${[...sink.errors.totals].map(([c, n]) => `${c} ×${n}`).join(', ')})`
    )
  if (unsent > 0)
    notes.push(`${unsent} inserts were never sent: the writers fell behind the schedule`)
  return {
    figures: [
      makeFigure(
        'sustained-write.throughput',
        'sustained-write',
        'sustained write throughput',
        'rows/s',
        `rows acknowledged per ${p.throughputWindowMs} ms window, as rows/s`,
        windowRates(acks, measureFrom, measureTo, p.throughputWindowMs)
      ),
      makeFigure(
        'sustained-write.latency',
        'sustained-write',
        'sustained write latency',
        'ms',
        'one single-row INSERT at 1,000/s, intended start to answer',
        latencies
      )
    ],
    notes,
    warmup: { operations: 0, ms: Math.round(warmupMs) },
    achievedPerSec: achieved,
    failed,
    unsent
  }
}
